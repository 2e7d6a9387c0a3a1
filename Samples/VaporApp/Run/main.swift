import Foundation
import Logging
import Vapor
import VaporSample

// swift run vapor-sample serve --port 8080   (or PORT=8080; see Samples/VaporApp/README.md)
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    try configure(app)
    // Booting opens Mailroom's resources, so a bad configuration (an invalid MAILGUN_BASE_URL, an
    // unwritable database path) is one clear line and a failing status, never a crash.
    try await app.asyncBoot()
} catch {
    FileHandle.standardError.write(Data("vapor-sample: error: \(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
