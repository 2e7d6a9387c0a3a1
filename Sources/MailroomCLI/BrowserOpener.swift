import Foundation

/// Opens a URL in the user's browser for `--open`: `$BROWSER` when set, else the desktop's
/// opener (`open` on macOS, `xdg-open` elsewhere). A failure is a note, not an error: the URL is printed anyway.
enum BrowserOpener {
    static func open(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
        let fallback = "open"
        #else
        let fallback = "xdg-open"
        #endif
        let command = environment["BROWSER"].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command, url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            CommandOutput.note("could not open a browser with \(command); open the URL above")
        }
    }
}
