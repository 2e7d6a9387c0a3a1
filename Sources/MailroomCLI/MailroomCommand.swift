import ArgumentParser

/// `mailroom`: render, send and inspect email from the command line.
@main
struct MailroomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailroom",
        abstract: "Render, send and inspect email with Mailroom.",
        subcommands: [
            RenderCommand.self, SendCommand.self, SendMIMECommand.self, StoredCommand.self,
            SuppressionCommand<UnsubscribesTable>.self, SuppressionCommand<BouncesTable>.self, SuppressionCommand<ComplaintsTable>.self,
            SuppressionsCommand.self, AlertsCommand.self, WebhookCommand.self, ArchiveCommand.self, PreviewCommand.self,
            DomainsCommand.self, UsersCommand.self, WebhooksCommand.self, SigningKeyCommand.self, DoctorCommand.self,
        ]
    )
}
