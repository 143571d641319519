"""A local SMTP sink for the production smoke test (aiosmtpd, loopback only).

Every message is written to DIR/<n>.eml. Mail to an address starting with "blackhole@" is
never answered (the RCPT command hangs), like a relay that accepts and goes silent.
Usage: python .ci/smtp_sink.py PORT DIR
"""

import asyncio
import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("blackhole@"):
            await asyncio.sleep(3600)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        (self.directory / f"{self.count}.eml").write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"


def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    try:
        asyncio.run(asyncio.sleep(float("inf")))
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
