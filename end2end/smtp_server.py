"""A real SMTP server (aiosmtpd) for the test harnesses.

Usage: python3 smtp_server.py DIR
Listens on 127.0.0.1 on a free port, prints that port on stdout, and writes each message it
accepts to DIR/<n>.json as {"from", "to", "subject", "body", "html", "message_id", "reply_to",
"attachments"} (the text and HTML parts decoded from their transfer encoding; each attachment as
{"filename", "content_type", "size", "sha256"}), renaming into place so readers never see half a
file.

Holding: the first time a message whose recipient starts with "hold-" arrives (per Message-ID),
the server writes DIR/held-<sha256 of the Message-ID>.marker and never answers its DATA: the
message is not accepted, and is dropped when the client's connection goes away (a test kills the
sender meanwhile). The next delivery of that Message-ID is accepted normally.

Temporary failure: the first time a message whose recipient starts with "tempfail-" arrives (per
Message-ID), the server writes its Message-ID to DIR/tempfail-<sha256>.marker and answers 451;
the retry is accepted. Rejection: a message to a "reject-" recipient is refused for good (550).
"""
import asyncio
import email
import email.policy
import hashlib
import json
import os
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


def write_marker(path, content):
    """Renamed into place: a reader sees the whole Message-ID or no file."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
    os.rename(tmp, path)


class Handler:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message_id = str(message["Message-ID"] or "")
        if any(r.startswith("hold-") for r in envelope.rcpt_tos):
            key = hashlib.sha256(message_id.encode()).hexdigest()
            marker = os.path.join(self.directory, f"held-{key}.marker")
            if not os.path.exists(marker):
                write_marker(marker, message_id)
                # Cancelled when the client disconnects (aiosmtpd cancels the handler); the
                # message is then not accepted and nothing is recorded.
                await asyncio.sleep(3600)
                return "451 Held too long"
        if any(r.startswith("reject-") for r in envelope.rcpt_tos):
            return "550 5.1.1 Mailbox unknown"
        if any(r.startswith("tempfail-") for r in envelope.rcpt_tos):
            key = hashlib.sha256(message_id.encode()).hexdigest()
            marker = os.path.join(self.directory, f"tempfail-{key}.marker")
            if not os.path.exists(marker):
                write_marker(marker, message_id)
                return "451 4.3.0 Try again later"
        attachments = []
        for attachment in message.iter_attachments():
            data = attachment.get_payload(decode=True) or b""
            attachments.append({
                "filename": attachment.get_filename(),
                "content_type": attachment.get_content_type(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            })
        part = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "from": str(message["From"]),
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "body": part.get_content() if part is not None else "",
            "html": html.get_content() if html is not None else "",
            "message_id": message_id,
            "reply_to": str(message["Reply-To"] or ""),
            "attachments": attachments,
        }
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.json"
        tmp = os.path.join(self.directory, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


async def main(directory):
    os.makedirs(directory, exist_ok=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(directory)), host="127.0.0.1", port=0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
