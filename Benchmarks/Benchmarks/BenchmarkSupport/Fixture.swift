import Foundation

/// Writes `size` pseudo-random bytes to `path` in 1 MB pieces (once; an existing file of that size
/// is kept), so no benchmark process holds the fixture whole.
public func writeFixture(at path: String, size: Int) {
    if let attributes = try? FileManager.default.attributesOfItem(atPath: path), (attributes[.size] as? Int) == size { return }
    _ = FileManager.default.createFile(atPath: path, contents: nil)  // the handle below reports a failure
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    defer { try? handle.close() }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var written = 0
    while written < size {
        let count = min(1 << 20, size - written)
        var piece = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            piece[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        handle.write(Data(piece))
        written += count
    }
}
