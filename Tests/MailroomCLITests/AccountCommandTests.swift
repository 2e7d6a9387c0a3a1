import Foundation
import MailgunMock
import Mailroom
import MailroomTestSupport
import Testing

/// `mailroom domains`, `users`, `webhooks`, `signing-key`, `alerts hits|apply` and `doctor`, run
/// as a user would against MailgunMock.
@Suite struct AccountCommandTests {
    static let key = "key-cli-SECRET"
    static let webKey = "web-cli-SECRET"

    func withMock(_ body: (MailgunMock, [String: String]) async throws -> Void) async throws {
        let configuration = MailgunMock.Configuration(apiKeys: [Self.key], webKeys: [Self.webKey], domains: ["acme.test"])
        try await MailgunMock.withRunning(configuration) { mock async throws in
            try await body(mock, ["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"])
        }
    }

    func run(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, out: String, err: String) {
        let result = try await MailroomExecutable.run(arguments, environment: environment)
        return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func list(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func theSMTPPasswordCanComeFromStandardInput() async throws {
        try await withMock { mock, environment in
            let created = try await MailroomExecutable.run(
                ["domains", "create", "mg.acme.test", "--smtp-password-stdin"], environment: environment, input: "pw-SECRET-stdin\nignored\n"
            )
            #expect(created.status == 0, "\(created.stderr)")
            #expect(await mock.domainSetting("smtp_password", of: "mg.acme.test") == "pw-SECRET-stdin", "the first line, without its line break")
            let output = String(decoding: created.stdout, as: UTF8.self) + created.stderr
            #expect(!output.contains("SECRET"))

            let updated = try await MailroomExecutable.run(["domains", "update", "mg.acme.test", "--smtp-password-stdin"], environment: environment, input: "pw-SECRET-2")
            #expect(updated.status == 0, "\(updated.stderr)")
            #expect(await mock.domainSetting("smtp_password", of: "mg.acme.test") == "pw-SECRET-2")

            let requests = await mock.requests().count
            let empty = try await MailroomExecutable.run(["domains", "update", "mg.acme.test", "--smtp-password-stdin"], environment: environment, input: "\n")
            #expect(empty.status == 1)
            #expect(empty.stderr == "mailroom: error: smtp_password: standard input held no password (--smtp-password-stdin)\n")
            let both = try await MailroomExecutable.run(["domains", "update", "mg.acme.test", "--smtp-password", "pw-SECRET-3", "--smtp-password-stdin"], environment: environment, input: "x")
            #expect(both.status != 0)
            #expect(both.stderr.contains("--smtp-password and --smtp-password-stdin exclude each other"), "\(both.stderr)")
            #expect(!both.stderr.contains("SECRET"))
            #expect(await mock.requests().count == requests, "nothing sent for either")
            #expect(await mock.domainSetting("smtp_password", of: "mg.acme.test") == "pw-SECRET-2")
        }
    }

    @Test func domainsCreateListGetUpdateVerifyDelete() async throws {
        try await withMock { mock, environment in
            let created = try await run(["domains", "create", "mg.acme.test", "--dkim-selector", "s1", "--spam-action", "tag", "--smtp-password", "pw-SECRET-1"], environment)
            #expect(created.status == 0, "\(created.err)")
            #expect(created.out.hasPrefix("mg.acme.test  unverified  created "))
            #expect(created.out.contains("TXT    s1._domainkey.mg.acme.test  k=rsa; p="), "records as an aligned table:\n\(created.out)")
            #expect(created.out.contains("\nReceiving records:\nTYPE  NAME          VALUE               VALID\nMX    (the domain)  10 mxa.mailgun.org  unknown\n"))
            #expect(!created.out.contains("SECRET") && !created.err.contains("SECRET"))

            let listed = try await run(["domains", "list"], environment)
            let lines = listed.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("NAME          STATE       TYPE    CREATED") == true, "\(listed.out)")
            #expect(lines.dropFirst().map { $0.prefix(12) } == ["mg.acme.test", "acme.test   "], "newest first")
            let page = try list(try await run(["domains", "list", "--sort", "name", "--limit", "1", "--skip", "1", "--json"], environment).out)
            #expect(page.map { $0["name"] as? String } == ["mg.acme.test"])
            let all = try list(try await run(["domains", "list", "--all", "--limit", "1", "--state", "active", "--json"], environment).out)
            #expect(all.map { $0["name"] as? String } == ["acme.test"])

            let updated = try await run(["domains", "update", "mg.acme.test", "--web-scheme", "https", "--spam-action", "block", "--json"], environment)
            #expect(updated.status == 0, "\(updated.err)")
            let domain = try object(updated.out)["spam_action"] as? String
            #expect(domain == "block")
            let refused = try await run(["domains", "update", "mg.acme.test", "--dkim-selector", "s2"], environment)
            #expect(refused.status != 0)
            #expect(refused.err.contains("Unknown option '--dkim-selector'"), "a create-only option is not an update option: \(refused.err)")
            let badScheme = try await run(["domains", "update", "mg.acme.test", "--web-scheme", "gopher"], environment)
            #expect(badScheme.err == "mailroom: error: web_scheme: 'gopher' is not one of http, https\n")

            let unverified = try await run(["domains", "verify", "mg.acme.test", "--json"], environment)
            #expect(try object(unverified.out)["state"] as? String == "unverified")
            await mock.setDNS(published: true, domain: "mg.acme.test")
            let verified = try await run(["domains", "verify", "mg.acme.test", "--json"], environment)
            let answer = try object(verified.out)
            #expect(answer["state"] as? String == "active")
            #expect((answer["sending_dns_records"] as? [[String: Any]])?.allSatisfy { $0["valid"] as? String == "valid" } == true)

            #expect(try await run(["domains", "delete", "mg.acme.test"], environment).out == "deleted mg.acme.test\n")
            let gone = try await run(["domains", "get", "mg.acme.test"], environment)
            #expect(gone.status != 0)
            #expect(gone.err == "mailroom: error: Mailgun found no such resource (HTTP 404): Domain not found\n")
            let badName = try await run(["domains", "get", "../v3/x"], environment)
            #expect(badName.err == "mailroom: error: name: '../v3/x' is not a domain name\n")
        }
    }

    @Test func usersListGetMe() async throws {
        try await withMock { _, environment in
            let listed = try await run(["users", "list", "--role", "admin"], environment)
            #expect(listed.status == 0, "\(listed.err)")
            let lines = listed.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("ID  ") && lines[0].hasSuffix("OWNER"))
            #expect(lines[1].contains("Olivia Owner") && lines[1].hasSuffix("yes"))
            #expect(lines[2].contains("Ada Admin") && lines[2].hasSuffix("admin"))
            let all = try list(try await run(["users", "list", "--all", "--limit", "2", "--json"], environment).out)
            #expect(all.count == 6)
            let one = try object(try await run(["users", "get", "5f3c9e2a1b0d4c7e8f9a0b3e", "--json"], environment).out)
            #expect(one["name"] as? String == "Bea Billing")
            #expect(one["role"] as? String == "billing")

            let me = try await run(["users", "me"], environment)
            #expect(me.status != 0)
            #expect(me.err.hasPrefix("mailroom: error: /v5/users/me needs a key with a user on it (a web key"))
            #expect(!me.err.contains("SECRET"))
            var web = environment
            web["MAILGUN_API_KEY"] = Self.webKey
            let owner = try object(try await run(["users", "me", "--json"], web).out)
            #expect(owner["is_master"] as? Bool == true)
            let badRole = try await run(["users", "list", "--role", "root"], environment)
            #expect(badRole.err == "mailroom: error: role: 'root' is not one of basic, billing, support, developer, admin\n")
        }
    }

    @Test func webhooksDomainAndAccount() async throws {
        try await withMock { _, environment in
            let created = try await run(["webhooks", "create", "--event", "delivered", "--url", "https://a.acme.test/1", "--url", "https://a.acme.test/2"], environment)
            #expect(created.status == 0, "\(created.err)")
            #expect(created.out == "EVENT      URL\ndelivered  https://a.acme.test/1\ndelivered  https://a.acme.test/2\n")
            let four = ["webhooks", "update", "delivered"] + (1...4).flatMap { ["--url", "https://a.acme.test/\($0)"] }
            #expect(try await run(four, environment).err == "mailroom: error: url: at most 3 URLs per event type, not 4\n")
            let byURL = try await run(["webhooks", "create", "--event", "unsubscribed", "--event", "complained", "--url", "https://hooks.acme.test/m", "--json"], environment)
            let map = try object(byURL.out)
            #expect(Set(map.keys) == ["delivered", "unsubscribed", "complained"])
            #expect(try object(try await run(["webhooks", "get", "complained", "--json"], environment).out)["complained"] as? [String: [String]] == ["urls": ["https://hooks.acme.test/m"]])

            let removed = try await run(["webhooks", "delete", "--url", "https://hooks.acme.test/m", "--json"], environment)
            #expect(try object(removed.out)["removed"] as? [String] == ["https://hooks.acme.test/m"])
            #expect(try await run(["webhooks", "delete", "delivered"], environment).out == "deleted the delivered webhook\n")
            #expect(try await run(["webhooks", "list"], environment).out == "no webhooks\n")
            let missing = try await run(["webhooks", "get", "delivered"], environment)
            #expect(missing.err == "mailroom: error: Mailgun found no such resource (HTTP 404): Webhook not found\n")
            #expect(try await run(["webhooks", "get", "read"], environment).err.hasPrefix("mailroom: error: event: 'read' is not one of accepted, delivered"))

            let account = try object(try await run([
                "webhooks", "create", "--account", "--event", "permanent_fail", "--event", "complained", "--url", "https://hooks.acme.test/all", "--description", "mirror", "--json",
            ], environment).out)
            let id = try #require(account["webhook_id"] as? String)
            let listed = try await run(["webhooks", "list", "--account"], environment)
            #expect(listed.out.contains("\(id)  https://hooks.acme.test/all  permanent_fail,complained  mirror"), "\(listed.out)")
            #expect(try await run(["webhooks", "update", "--account", id, "--event", "delivered", "--url", "https://hooks.acme.test/v2"], environment).status == 0)
            let fetched = try object(try await run(["webhooks", "get", "--account", id, "--json"], environment).out)
            #expect(fetched["url"] as? String == "https://hooks.acme.test/v2")
            #expect(fetched["description"] == nil)
            #expect(try await run(["webhooks", "delete", "--account", id], environment).out == "deleted account webhook \(id)\n")
            #expect(try await run(["webhooks", "list", "--account"], environment).out == "no account webhooks\n")
        }
    }

    @Test func signingKeyShowsOnlyItsTailUnlessRevealed() async throws {
        try await withMock { _, environment in
            let rotated = try await run(["signing-key", "rotate", "--reveal"], environment)
            #expect(rotated.status == 0, "\(rotated.err)")
            let key = rotated.out.trimmingCharacters(in: .newlines)
            #expect(key.count >= 32)
            #expect(rotated.err.contains("rotated the webhook signing key"))
            let shown = try await run(["signing-key", "show"], environment)
            #expect(shown.out == "…\(key.suffix(4)) (MAILGUN_WEBHOOK_SIGNING_KEY is not set)\n")
            var local = environment
            local["MAILGUN_WEBHOOK_SIGNING_KEY"] = key
            #expect(try await run(["signing-key", "show"], local).out == "…\(key.suffix(4)) (equals MAILGUN_WEBHOOK_SIGNING_KEY)\n")
            let second = try await run(["signing-key", "rotate", "--json"], local)
            let answer = try object(second.out)
            #expect(answer["matches_environment"] as? Bool == false)
            #expect(answer["http_signing_key"] == nil)
            #expect(!second.out.contains(key))
        }
    }

    @Test func alertsApplyPlansDryRunsPrunesAndIsIdempotent() async throws {
        try await withMock { mock, environment in
            let directory = try TemporaryDirectory()
            let yaml = """
                alerts:
                  - name: hard bounce rate
                    metric: hard_bounce_rate
                    comparator: ">"
                    limit: 0.05
                    dimension: domain
                    alert_channels: [email, webhook]
                    period: 1h
                    filters:
                      - {dimension: domain, comparator: not contains, values: [staging.acme.test]}
                  - name: complaints
                    metric: complained_rate
                    comparator: ">="
                    limit: ".001"
                    dimension: domain
                    channels: [email]
                """
            let file = try directory.write(Array(yaml.utf8), named: "alerts.yaml")
            _ = try await run(["alerts", "create", "--name", "old", "--metric", "delivered_rate", "--comparator", "<", "--limit", ".9", "--dimension", "domain"], environment)

            let dry = try await run(["alerts", "apply", file, "--dry-run", "--prune"], environment)
            #expect(dry.status == 0, "\(dry.err)")
            #expect(dry.out == "+ create complaints\n+ create hard bounce rate\n- delete old\n3 changes, 0 unchanged\n")
            #expect(dry.err == "mailroom: dry run: nothing was changed\n")
            #expect(try await run(["alerts", "list"], environment).out.split(separator: "\n").count == 1, "the dry run changed nothing")

            let applied = try await run(["alerts", "apply", file], environment)
            #expect(applied.out == "+ create complaints\n+ create hard bounce rate\n2 changes, 0 unchanged\napplied\n", "\(applied.err)")
            let again = try await run(["alerts", "apply", file, "--json"], environment)
            let plan = try object(again.out)
            #expect((plan["changes"] as? [Any])?.isEmpty == true, "\(again.out)")
            #expect(plan["unchanged"] as? [String] == ["complaints", "hard bounce rate"])
            #expect(plan["applied"] as? Bool == false)

            let pruned = try await run(["alerts", "apply", file, "--prune"], environment)
            #expect(pruned.out == "- delete old\n1 change, 2 unchanged\napplied\n")
            #expect(try await run(["alerts", "apply", file, "--prune"], environment).out == "0 changes, 2 unchanged\n")

            let json = try directory.write(Array(#"[{"name":"complaints","metric":"complained_rate","comparator":">=","limit":".002","dimension":"domain","alert_channels":["email"]}]"#.utf8), named: "alerts.json")
            #expect(try await run(["alerts", "apply", json], environment).out == "~ update complaints\n1 change, 0 unchanged\napplied\n")

            let typo = try directory.write(Array("alerts:\n  - name: x\n    metrc: hard_bounce_rate\n".utf8), named: "typo.yml")
            #expect(try await run(["alerts", "apply", typo], environment).err == "mailroom: error: alerts[0].metrc: is not a field of a send alert\n")
            let broken = try directory.write(Array("alerts: [\n  - name: x\n".utf8), named: "broken.yaml")
            #expect(try await run(["alerts", "apply", broken], environment).err.hasPrefix("mailroom: error: file: is not valid YAML: "))
            let badJSON = try directory.write(Array("{".utf8), named: "broken.json")
            #expect(try await run(["alerts", "apply", badJSON], environment).err.hasPrefix("mailroom: error: file: is not valid JSON"))
            let invalid = try directory.write(Array("- {name: x, metric: opens, comparator: '>', limit: 1, dimension: domain}\n".utf8), named: "invalid.yaml")
            #expect(try await run(["alerts", "apply", invalid], environment).err == "mailroom: error: alerts[0].metric: 'opens' is not one of: hard_bounce_rate, temporary_fail_rate, delivered_rate, complained_rate\n")
            let requests = await mock.requests().count
            _ = try await run(["alerts", "apply", invalid], environment)
            #expect(await mock.requests().count == requests, "an invalid file sends nothing")
        }
    }

    @Test func alertsHits() async throws {
        try await withMock { mock, environment in
            #expect(try await run(["alerts", "hits"], environment).out == "no alerts have fired\n")
            let at = Date(timeIntervalSince1970: 1_795_000_000)
            await mock.recordAlertHit(.init(id: "h1", name: "hard bounce rate", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", latestValue: "0.09", dimension: .domain, createdAt: at, updatedAt: at))
            let table = try await run(["alerts", "hits"], environment)
            #expect(table.out == """
                NAME              CONDITION                         VALUE  TRIGGERED  UPDATED
                hard bounce rate  hard_bounce_rate > .05 by domain  0.09   yes        2026-11-18T11:06:40Z

                """)
            let hits = try list(try await run(["alerts", "hits", "--json"], environment).out)
            #expect(hits.first?["latest_value"] as? String == "0.09")
            #expect(hits.first?["updated_at"] as? String == "2026-11-18T11:06:40Z")
            #expect(hits.first?["expires_at"] == nil)
        }
    }

    @Test func doctorPassesWhenEverythingIsSetUp() async throws {
        try await withMock { _, environment in
            let key = try await run(["signing-key", "rotate", "--reveal"], environment).out.trimmingCharacters(in: .newlines)
            _ = try await run(["webhooks", "create", "--event", "unsubscribed", "--event", "complained", "--url", "https://app.acme.test/mailgun"], environment)
            _ = try await run(["webhooks", "create", "--account", "--event", "permanent_fail", "--url", "https://app.acme.test/mailgun"], environment)
            var local = environment
            local["MAILGUN_WEBHOOK_SIGNING_KEY"] = key
            let doctor = try await run(["doctor", "--webhook-url", "https://app.acme.test/mailgun"], local)
            #expect(doctor.status == 0, "\(doctor.out)\(doctor.err)")
            #expect(doctor.out == """
                ✓ API key: accepted by \(environment["MAILGUN_BASE_URL"] ?? "")
                ✓ domain: acme.test is active
                ✓ DNS records: all 3 sending records are valid
                ✓ webhooks: unsubscribed, complained, permanent_fail post to https://app.acme.test/mailgun
                ✓ signing key: MAILGUN_WEBHOOK_SIGNING_KEY equals the account's signing key

                """)
            #expect(!doctor.out.contains(key) && !doctor.out.contains("SECRET"))
            let json = try object(try await run(["doctor", "--json"], local).out)
            #expect(json["ok"] as? Bool == true)
            #expect((json["checks"] as? [[String: Any]])?.map { $0["status"] as? String } == ["pass", "pass", "pass", "pass", "pass"])
        }
    }

    @Test func doctorFailsOnEachCheckWithWhatToDo() async throws {
        try await withMock { mock, environment in
            var wrongKey = environment
            wrongKey["MAILGUN_API_KEY"] = "key-wrong"
            let rejected = try await run(["doctor"], wrongKey)
            #expect(rejected.status == 1)
            let lines = rejected.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("✗ API key: \(environment["MAILGUN_BASE_URL"] ?? "") did not accept it: Mailgun rejected the API key (HTTP 401)") == true, "\(rejected.out)")
            #expect(lines[1].hasPrefix("  → set MAILGUN_API_KEY"))
            #expect(lines.dropFirst(2).allSatisfy { $0.hasPrefix("– ") })
            #expect(!rejected.out.contains("key-wrong"))

            var unknown = environment
            unknown["MAILGUN_DOMAIN"] = "nowhere.test"
            let missing = try await run(["doctor"], unknown)
            #expect(missing.status == 1)
            #expect(missing.out.contains("✗ domain: nowhere.test does not exist in \(environment["MAILGUN_BASE_URL"] ?? "")\n  → create it with `mailroom domains create nowhere.test`"))

            _ = try await run(["domains", "create", "new.acme.test"], environment)
            await mock.setDNS(published: true, domain: "new.acme.test", recordType: "TXT")
            _ = try await run(["domains", "verify", "new.acme.test"], environment)
            let dns = try await run(["doctor", "--domain", "new.acme.test"], environment)
            #expect(dns.status == 1)
            #expect(dns.out.contains("✗ domain: new.acme.test is unverified\n  → publish the DNS records below, then run `mailroom domains verify new.acme.test`"))
            #expect(dns.out.contains("""
                ✗ DNS records: 1 of 3 sending records are not valid yet
                    TYPE   NAME                 VALUE
                    CNAME  email.new.acme.test  mailgun.org
                  → publish them at the domain's DNS host, then run `mailroom domains verify new.acme.test`
                """), "\(dns.out)")
            #expect(dns.out.contains("✗ webhooks: no webhook for unsubscribed, complained, permanent_fail\n  → `mailroom webhooks create --event unsubscribed --event complained --event permanent_fail --url URL`"))
            #expect(dns.out.contains("– signing key: MAILGUN_WEBHOOK_SIGNING_KEY is not set; nothing to compare"))

            _ = try await run(["webhooks", "create", "--event", "unsubscribed", "--event", "complained", "--event", "permanent_fail", "--url", "https://old.acme.test/hook"], environment)
            let elsewhere = try await run(["doctor", "--webhook-url", "https://app.acme.test/mailgun"], environment)
            #expect(elsewhere.out.contains("✗ webhooks: not posting to https://app.acme.test/mailgun for unsubscribed, complained, permanent_fail"))
            #expect(try await run(["doctor"], environment).out.contains("✓ webhooks: unsubscribed, complained, permanent_fail post to a configured URL"))

            _ = try await run(["signing-key", "rotate"], environment)
            var stale = environment
            stale["MAILGUN_WEBHOOK_SIGNING_KEY"] = "whsec-stale"
            let key = try await run(["doctor", "--json"], stale)
            #expect(key.status == 1)
            let checks = try #require(try object(key.out)["checks"] as? [[String: Any]])
            #expect(checks.map { $0["status"] as? String } == ["pass", "pass", "pass", "pass", "fail"])
            #expect(checks.last?["fix"] as? String == "export MAILGUN_WEBHOOK_SIGNING_KEY=\"$(mailroom signing-key show --reveal)\"")
            #expect(!key.out.contains("whsec-stale"))
            #expect(try await run(["doctor", "--webhook-url", "ftp://x"], environment).err == "mailroom: error: webhook-url: 'ftp://x' is not an absolute http(s) URL\n")
        }
    }
}
