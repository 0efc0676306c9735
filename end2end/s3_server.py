"""A real S3-compatible server (moto) for the test harnesses.

Usage: <python of the moto venv> s3_server.py
Listens on 127.0.0.1 on a free port, prints that port on stdout, and serves until its standard
input closes: the test process that started it holds the other end, so the server ends with it
(even when that process is killed), without a pid file or a cleanup step.

Moto keeps everything in memory. It does not check request signatures: the tests reach it
through Guichet's signed S3 client (object_store), which is what a real store would see.
"""
import sys

from moto.server import ThreadedMotoServer


def main():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(port, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
