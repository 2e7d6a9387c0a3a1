import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// Where and as whom to reach Mailgun: `MAILGUN_*` variables, overridden by flags.
struct MailgunConnectionOptions: ParsableArguments {
    @Option(help: "The sending domain (default: MAILGUN_DOMAIN).")
    var domain: String?

    @Option(name: .customLong("base-url"), help: "A custom API base URL, e.g. a local mailgun-mock (default: MAILGUN_BASE_URL).")
    var baseURL: String?

    @Option(help: "us or eu (default: MAILGUN_REGION, else us).")
    var region: String?

    /// The configuration from the environment with the flags applied.
    func configuration(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailgunConfiguration {
        var configuration = try MailgunConfiguration.fromEnvironment(environment)
        if let region { configuration.region = try .named(region) }
        if let baseURL { configuration.region = try .custom(baseURL) }
        if let domain {
            configuration.domain = domain
            try configuration.validate()
        }
        return configuration
    }
}
