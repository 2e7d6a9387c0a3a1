import Foundation

/// Runs libFuzzer's driver (`LLVMFuzzerRunDriver`, linked in by `-sanitize=fuzzer`) with the
/// process's arguments and one input callback. A `main` of our own, rather than libFuzzer's,
/// because SwiftPM renames an executable's entry point in debug builds.
public enum FuzzerDriver {
    /// The per-input callback: the bytes and their count; return 0.
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

    /// Runs the fuzzer until it stops; returns its exit status.
    public static func run(_ callback: Callback) -> Int32 {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzerDriver.Callback
) -> CInt
