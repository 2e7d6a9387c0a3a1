import Mailroom
import Testing

@Suite struct MailroomErrorTests {
    @Test func descriptionsNameTheFieldAndShortDescriptionsAreLabels() {
        let error = MailroomError.headerInjection(field: "subject")
        #expect(error.description == "subject: must not contain a line break (CR or LF)")
        #expect(error.shortDescription == "MailroomError.headerInjection")
        #expect(error.code == .headerInjection)
        #expect(error.code != .invalidAddress)
        #expect(!error.isTransient)

        let limited = MailroomError(code: .rateLimited, message: "try again after 120 seconds", isTransient: true, status: 429,
                                    providerMessage: "limit exceeded, try again after 120 seconds", retryAfter: .seconds(120))
        #expect(limited.description == "try again after 120 seconds")
        #expect(limited.retryAfter == .seconds(120))
        #expect(limited == limited)
        #expect(limited != error)
    }
}
