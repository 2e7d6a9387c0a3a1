import Mailroom
import Testing

@Suite struct SuppressionSequenceTests {
    @Test func followsCursorsToTheEndAndStopsAtAnEmptyPage() async throws {
        let entries = try (0..<2_500).map { Suppression.unsubscribe(try EmailAddress("u\($0)@example.com")) }
        let fetches = Counter()
        let sequence = SuppressionSequence { cursor in
            await fetches.increment()
            let start = Int(cursor ?? "0") ?? 0
            let end = min(start + 1_000, entries.count)
            // Like Mailgun, the last page still has a next link; the empty page after it ends the list.
            return .init(items: start < end ? Array(entries[start..<end]) : [], next: String(end))
        }
        let all = try await sequence.collect()
        #expect(all == entries)
        #expect(await fetches.value == 4, "three full pages and one empty page")
    }

    @Test func stopsWhenThereIsNoNextCursor() async throws {
        let fetches = Counter()
        let sequence = SuppressionSequence { _ in
            await fetches.increment()
            return .init(items: [.complaint("a@example.com")], next: nil)
        }
        #expect(try await sequence.collect().map(\.address) == ["a@example.com"])
        #expect(await fetches.value == 1)
    }

    @Test func propagatesFetchErrors() async {
        let sequence = SuppressionSequence { _ in throw MailroomError(code: .providerUnavailable, message: "down", isTransient: true, status: 503) }
        let error = await #expect(throws: MailroomError.self) { try await sequence.collect() }
        #expect(error?.status == 503)
        #expect(error?.isTransient == true)
    }
}

/// Counts calls from concurrent closures (an actor, since the package supports macOS 14).
actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
