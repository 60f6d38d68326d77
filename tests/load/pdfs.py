"""Small PDFs written byte by byte for the load tests: a text layer in Helvetica, and the
same encrypted with the standard security handler (RC4, revision 2), which no installed
tool can produce."""

from __future__ import annotations

import hashlib

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = bytes.fromhex("0123456789abcdef0123456789abcdef")
_PERMISSIONS = -44


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def _content(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops += [f"({escaped}) Tj", "T*"]
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def text_pdf(pages: list[list[str]], user_password: str | None = None) -> bytes:
    """A PDF with one page per list of ASCII lines; encrypted when a password is given."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    key = None
    trailer_extra = b""
    encrypt_number = 4 + 2 * count
    if user_password is not None:
        owner = rc4(hashlib.md5(_padded("owner")).digest()[:5], _padded(user_password))
        permissions = _PERMISSIONS.to_bytes(4, "little", signed=True)
        key = hashlib.md5(_padded(user_password) + owner + permissions + _FILE_ID).digest()[:5]
        user = rc4(key, _PAD)
        objects[encrypt_number] = (f"<< /Filter /Standard /V 1 /R 2 /O <{owner.hex()}> "
                                   f"/U <{user.hex()}> /P {_PERMISSIONS} >>").encode()
        trailer_extra = f" /Encrypt {encrypt_number} 0 R".encode()
    for i, lines in enumerate(pages):
        page_number, content_number = 4 + 2 * i, 5 + 2 * i
        objects[page_number] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                                f"/Resources << /Font << /F1 3 0 R >> >> "
                                f"/Contents {content_number} 0 R >>").encode()
        stream = _content(lines)
        if key is not None:
            object_key = hashlib.md5(key + content_number.to_bytes(3, "little")
                                     + b"\x00\x00").digest()[:10]
            stream = rc4(object_key, stream)
        objects[content_number] = (f"<< /Length {len(stream)} >>\nstream\n".encode()
                                   + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets.get(number, 0):010d} 00000 n \n".encode()
    file_id = _FILE_ID.hex()
    out += (f"trailer\n<< /Size {size} /Root 1 0 R /ID [<{file_id}> <{file_id}>]".encode()
            + trailer_extra + f" >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)
