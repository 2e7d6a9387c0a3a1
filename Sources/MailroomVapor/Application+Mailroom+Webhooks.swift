import Foundation
import Logging
import Mailroom
/// Public because `MailgunWebhookReceiver` appears in this file's public API.
public import MailroomMailgun
/// Public because `Application` appears in this file's public API.
public import Vapor

extension Application.Mailroom {
    /// Mailgun's webhooks: the signing key that verifies them, the receiver's limits and an
    /// optional handler for every verified event. ``MailgunWebhookRoutes`` answers them; verified
    /// suppression events go to the suppression mirror.
    ///
    /// ```swift
    /// app.mailroom.webhooks.use(.signingKey(Environment.get("MAILGUN_WEBHOOK_SIGNING_KEY") ?? ""))
    /// app.mailroom.webhooks.use(.fromEnvironment)
    /// ```
    public struct Webhooks: Sendable {
        /// The application.
        public let application: Application

        /// Sets how webhooks are received.
        ///
        /// - Parameter provider: The signing key and the receiver's settings.
        public func use(_ provider: Provider) {
            application.mailroom.state.configure(logger: application.logger) { $0.webhooks = provider }
        }

        /// The signing key and the receiver's settings.
        public struct Provider: Sendable {
            let settings: @Sendable (Logger) throws -> WebhookReceiverSettings?

            /// Verifies with `signingKey` (Mailgun's "HTTP webhook signing key", not the API key).
            ///
            /// - Parameters:
            ///   - signingKey: The key; never logged.
            ///   - configuration: Body limit, maximum age, replay window.
            ///   - handler: Called with every verified event after its suppression is stored.
            public static func signingKey(
                _ signingKey: String,
                configuration: MailgunWebhookReceiver.Configuration = MailgunWebhookReceiver.Configuration(),
                handler: MailgunWebhookReceiver.Handler? = nil
            ) -> Provider {
                Provider(settings: { _ in
                    guard !signingKey.isEmpty else {
                        throw MailroomError(code: .configuration, field: "signingKey", message: "is empty; give Mailgun's HTTP webhook signing key")
                    }
                    return WebhookReceiverSettings(signingKey: signingKey, configuration: configuration, handler: handler)
                })
            }

            /// The key in `MAILGUN_WEBHOOK_SIGNING_KEY`, read when the application boots; when it
            /// is unset, one warning, and ``MailgunWebhookRoutes`` answers 404.
            public static var fromEnvironment: Provider {
                fromEnvironment(nil)
            }

            /// ``fromEnvironment`` over the given variables, with the receiver's settings.
            ///
            /// - Parameters:
            ///   - environment: The variables; `nil` reads the process's when the application boots.
            ///   - configuration: Body limit, maximum age, replay window.
            ///   - handler: Called with every verified event.
            public static func fromEnvironment(
                _ environment: [String: String]?,
                configuration: MailgunWebhookReceiver.Configuration = MailgunWebhookReceiver.Configuration(),
                handler: MailgunWebhookReceiver.Handler? = nil
            ) -> Provider {
                Provider(settings: { logger in
                    let variables = environment ?? ProcessInfo.processInfo.environment
                    guard let key = variables["MAILGUN_WEBHOOK_SIGNING_KEY"], !key.isEmpty else {
                        logger.warning("MAILGUN_WEBHOOK_SIGNING_KEY is not set: Mailgun's webhooks are answered with 404")
                        return nil
                    }
                    return WebhookReceiverSettings(signingKey: key, configuration: configuration, handler: handler)
                })
            }
        }
    }
}

/// What a receiver is made from; its description leaves the key out.
struct WebhookReceiverSettings: Sendable, CustomStringConvertible {
    var signingKey: String
    var configuration: MailgunWebhookReceiver.Configuration
    var handler: MailgunWebhookReceiver.Handler?

    var description: String { "WebhookReceiverSettings(signingKey: <redacted>)" }
}
