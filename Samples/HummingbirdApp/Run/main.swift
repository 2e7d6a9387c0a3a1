import Configuration
import Foundation
import Hummingbird
import HummingbirdSample
import Logging

// swift run hummingbird-sample --port 8080   (or PORT=8080; see Samples/HummingbirdApp/README.md)
var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
if let index = CommandLine.arguments.firstIndex(of: "--port") {
    guard CommandLine.arguments.indices.contains(index + 1), let port = Int(CommandLine.arguments[index + 1]), (0...65_535).contains(port) else {
        FileHandle.standardError.write(Data("hummingbird-sample: --port takes a number from 0 to 65535\n".utf8))
        exit(2)
    }
    overrides["port"] = .init(.int(port), isSecret: false)
}
let reader = ConfigReader(providers: [InMemoryProvider(values: overrides), EnvironmentVariablesProvider()])
var logger = Logger(label: "hummingbird-sample")
logger.logLevel = .info
do {
    let app = try await buildApplication(reader: reader, environment: ProcessInfo.processInfo.environment, logger: logger)
    try await app.runService()
} catch {
    // A bad configuration (an invalid MAILGUN_BASE_URL, an unwritable database path) is one clear
    // line and a failing status, never a crash.
    FileHandle.standardError.write(Data("hummingbird-sample: error: \(error)\n".utf8))
    exit(1)
}
