"""Files of conversations: uploads, generated files and attachments, their storage and their deletion outbox."""
