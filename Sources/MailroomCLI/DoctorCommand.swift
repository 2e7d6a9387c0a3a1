import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomMailgun

/// `mailroom doctor`: why mail is not going out, one check per line with what to do.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the Mailgun setup: key and region, domain, DNS records, webhooks, signing key.",
        discussion: "Exits 0 only when every check passes. The API key and the signing key are never printed."
    )

    /// The events a suppression mirror needs webhooks for.
    static let suppressionEvents = ["unsubscribed", "complained", "permanent_fail"]

    @OptionGroup var connection: MailgunConnectionOptions
    @Option(name: .customLong("webhook-url"), help: "The URL the webhooks must post to.") var webhookURL: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let checks = try await CommandLineFailure.reporting {
            if let webhookURL {
                guard let url = URLComponents(string: webhookURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                    throw MailroomError.invalidValue(field: "webhook-url", "'\(webhookURL.prefix(200))' is not an absolute http(s) URL")
                }
            }
            return try await Self.diagnose(try connection.configuration(), webhookURL: webhookURL, logger: CommandLineFailure.logger)
        }
        let passed = !checks.contains { $0.status == .fail }
        if json {
            try CommandOutput.json(["ok": passed, "checks": checks.map(\.json)])
        } else {
            checks.flatMap(\.lines).forEach(CommandOutput.say)
        }
        if !passed { throw ExitCode.failure }
    }

    static func diagnose(_ configuration: MailgunConfiguration, webhookURL: String?, logger: Logger) async throws -> [DoctorCheck] {
        let client = MailgunMailer(configuration: configuration).client
        let base = configuration.region.baseURL
        let region = configuration.region == .us ? "the US region (\(base))" : configuration.region == .eu ? "the EU region (\(base))" : base
        var checks: [DoctorCheck] = []

        // 1. The key, with the cheapest authenticated call there is.
        do {
            _ = try await MailgunDomains(client: client).page(limit: 1, logger: logger)
            checks.append(.pass("API key", "accepted by \(region)"))
        } catch let error as MailroomError {
            let fix = error.code == .unauthorized
                ? "set MAILGUN_API_KEY to a private API key of this account (Mailgun dashboard → API keys); an EU account also needs MAILGUN_REGION=eu"
                : "check the network and MAILGUN_REGION or MAILGUN_BASE_URL"
            checks.append(.fail("API key", "\(region) did not accept it: \(error.message)", fix: fix))
            return checks + ["domain", "DNS records", "webhooks", "signing key"].map { .skip($0, "not checked: the API key check failed") }
        }

        // 2. The domain and 3. its sending records.
        guard let name = configuration.domain else {
            checks.append(.fail("domain", "no sending domain given", fix: "pass --domain or set MAILGUN_DOMAIN"))
            return checks + ["DNS records", "webhooks"].map { .skip($0, "not checked: no domain") } + [await signingKeyCheck(client, logger: logger)]
        }
        do {
            let domain = try await MailgunDomains(client: client).get(name, logger: logger)
            switch domain.state {
            case .active: checks.append(.pass("domain", "\(name) is active"))
            case .disabled: checks.append(.fail("domain", "\(name) is disabled", fix: "ask Mailgun support why, in the dashboard's domain settings"))
            default:
                checks.append(.fail("domain", "\(name) is \(domain.state)", fix: "publish the DNS records below, then run `mailroom domains verify \(name)`"))
            }
            let missing = domain.missingSendingRecords
            if missing.isEmpty {
                checks.append(.pass("DNS records", "all \(domain.sendingRecords.count) sending records are valid"))
            } else {
                var table = CommandTable("TYPE", "NAME", "VALUE")
                for record in missing { table.add(record.recordType, record.name ?? name, record.value) }
                checks.append(.fail(
                    "DNS records", "\(missing.count) of \(domain.sendingRecords.count) sending records are not valid yet",
                    fix: "publish them at the domain's DNS host, then run `mailroom domains verify \(name)`", table: table
                ))
            }
        } catch let error as MailroomError where error.code == .notFound {
            checks.append(.fail(
                "domain", "\(name) does not exist in \(region)",
                fix: "create it with `mailroom domains create \(name)`, or if it was added in the other region set MAILGUN_REGION accordingly"
            ))
            checks.append(.skip("DNS records", "not checked: no such domain"))
        }

        // 4. The webhooks a suppression mirror needs, on the domain or the account.
        checks.append(try await webhookCheck(client, domain: name, url: webhookURL, logger: logger))
        // 5. The signing key webhooks are verified with.
        checks.append(await signingKeyCheck(client, logger: logger))
        return checks
    }

    static func webhookCheck(_ client: MailgunClient, domain: String, url: String?, logger: Logger) async throws -> DoctorCheck {
        var urls: [String: Set<String>] = [:]
        do {
            for (type, list) in try await MailgunWebhooks(client: client, domain: domain).list(logger: logger) { urls[type, default: []].formUnion(list) }
        } catch let error as MailroomError where error.code == .notFound {
            return .skip("webhooks", "not checked: no such domain")
        }
        for webhook in try await MailgunAccountWebhooks(client: client).list(logger: logger) {
            for type in webhook.eventTypes { urls[type, default: []].insert(webhook.url) }
        }
        let missing = suppressionEvents.filter { type in url.map { !(urls[type] ?? []).contains($0) } ?? (urls[type] ?? []).isEmpty }
        guard missing.isEmpty else {
            let target = url ?? "URL"
            let fix: String
            if missing.count > 1 {
                fix = "`mailroom webhooks create " + missing.map { "--event \($0)" }.joined(separator: " ") + " --url \(target)`"
            } else if (urls[missing[0]] ?? []).isEmpty {
                fix = "`mailroom webhooks create --event \(missing[0]) --url \(target)`"
            } else {
                fix = "`mailroom webhooks update \(missing[0]) --url \(target)` (replaces its URLs)"
            }
            return .fail("webhooks", "\(url.map { "not posting to \($0)" } ?? "no webhook") for \(missing.joined(separator: ", "))", fix: fix)
        }
        return .pass("webhooks", "\(suppressionEvents.joined(separator: ", ")) post to \(url ?? "a configured URL")")
    }

    static func signingKeyCheck(_ client: MailgunClient, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) async -> DoctorCheck {
        guard let local = environment["MAILGUN_WEBHOOK_SIGNING_KEY"], !local.isEmpty else {
            return .skip("signing key", "MAILGUN_WEBHOOK_SIGNING_KEY is not set; nothing to compare")
        }
        do {
            let key = try await MailgunWebhooks(client: client).signingKey(logger: logger)
            if key.matches(local) { return .pass("signing key", "MAILGUN_WEBHOOK_SIGNING_KEY equals the account's signing key") }
            return .fail(
                "signing key", "MAILGUN_WEBHOOK_SIGNING_KEY differs from the account's signing key: webhooks will fail verification",
                fix: "export MAILGUN_WEBHOOK_SIGNING_KEY=\"$(mailroom signing-key show --reveal)\""
            )
        } catch {
            return .fail("signing key", "could not read the account's signing key: \((error as? MailroomError)?.message ?? "\(error)")", fix: "check that the API key may read /v5/accounts/http_signing_key")
        }
    }
}
