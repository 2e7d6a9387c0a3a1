import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Mailroom
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Posts the mock's events to the configured webhook URLs, signed like Mailgun, in the order they
/// were queued, retrying per the settings; runs as a service beside the mock's server.
struct WebhookDispatcher: Service {
    /// Events of one accepted message, queued together so they arrive in order.
    struct Job: Sendable {
        struct Delivery: Sendable {
            var record: MockWebhookDelivery
            var retryable: Bool
        }

        var deliveries: [Delivery]
        var retryDelays: [Duration]
    }

    let state: MailgunMockState
    let jobs: AsyncStream<Job>
    let logger: Logger

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { await deliver(job) }
            }
            group.cancelAll()
        }
    }

    private func deliver(_ job: Job) async {
        for planned in job.deliveries {
            var delivery = planned.record
            let slot = await state.beginDelivery(delivery)
            var attempt = 0
            while true {
                let result = await post(delivery.body, to: delivery.url)
                delivery.attempts.append(.init(status: result.status, error: result.error, at: await state.currentDate()))
                await state.updateDelivery(slot, delivery)
                let done = result.status == 200 || result.status == 406
                guard !done, planned.retryable, attempt < job.retryDelays.count, !Task.isCancelled else { break }
                try? await Task.sleep(for: job.retryDelays[attempt])
                attempt += 1
            }
            await state.finishDelivery(slot)
        }
    }

    private func post(_ body: String, to url: String) async -> (status: Int?, error: String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "mailgun-mock")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1_048_576)
            return (Int(response.status.code), nil)
        } catch {
            logger.debug("webhook delivery failed", metadata: ["url": "\(url)", "error": "\(error)"])
            return (nil, String(describing: type(of: error)))
        }
    }

    /// `{"signature": {timestamp, token, signature}, "event-data": data}` signed with `key`.
    static func signedBody(_ data: [String: Any], key: String, at date: Date) -> String {
        let timestamp = String(Int(date.timeIntervalSince1970))
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let token = String((0..<50).map { _ in alphabet.randomElement() ?? "a" })
        let code = HMAC<SHA256>.authenticationCode(for: Data((timestamp + token).utf8), using: SymmetricKey(data: Data(key.utf8)))
        let signature = Hex.string(code)
        let object: [String: Any] = ["signature": ["timestamp": timestamp, "token": token, "signature": signature], "event-data": data]
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: json, as: UTF8.self)
    }
}
