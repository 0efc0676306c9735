"""A real SMTP server (aiosmtpd) for the test harnesses.

Usage: python3 smtp_server.py DIR
Listens on 127.0.0.1 on a free port, prints that port on stdout, and writes each message it
accepts to DIR/<n>.json as {"from", "to", "subject", "body", "html"} (the text and HTML parts,
decoded from their transfer encoding), renaming into place so readers never see half a file.
"""
import asyncio
import email
import email.policy
import json
import os
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "from": str(message["From"]),
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "body": part.get_content() if part is not None else "",
            "html": html.get_content() if html is not None else "",
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
