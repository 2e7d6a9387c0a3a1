import Mailroom

extension MailroomError {
    /// `error` as the archive reports it: a `MailroomError` as it is, anything else as a storage
    /// error of the field `archive`.
    static func archive(_ error: any Error) -> MailroomError {
        error as? MailroomError ?? MailroomError(code: .storage, field: "archive", message: "\(error)")
    }
}
