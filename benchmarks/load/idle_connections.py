"""Opens N TCP connections to 127.0.0.1:PORT, prints "open", keeps them idle for SECONDS, then exits."""
import socket
import sys
import time

port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held = []
for _ in range(count):
    held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
print("open", len(held), flush=True)
time.sleep(seconds)
