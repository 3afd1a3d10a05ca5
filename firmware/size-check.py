#!/usr/bin/env python3
"""Checks that a Cortex-M ELF image fits a flash and a RAM budget.

Flash: every allocated section with contents (vector table, code, read-only data, the initial
values of .data). RAM: every allocated section placed at or above the RAM origin (.data, .bss,
.uninit); the stack and heap regions the linker script leaves free are not counted, so leave
room for them in the budget.

Usage: size-check.py ELF --flash-kib N --ram-kib N [--ram-origin 0x20000000]
"""

import argparse
import struct
import sys

SHF_ALLOC = 0x2
SHT_NOBITS = 8


def sections(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise SystemExit(f"{path}: not an ELF file")
    if data[4] != 1 or data[5] != 1:
        raise SystemExit(f"{path}: expected a 32-bit little-endian ELF (Cortex-M)")
    (shoff,) = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    headers = []
    for i in range(shnum):
        name, typ, flags, addr, _off, size = struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
        headers.append((name, typ, flags, addr, size))
    strtab_off = struct.unpack_from("<I", data, shoff + shstrndx * shentsize + 16)[0]
    for name, typ, flags, addr, size in headers:
        end = data.index(b"\0", strtab_off + name)
        yield data[strtab_off + name:end].decode(), typ, flags, addr, size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("elf")
    ap.add_argument("--flash-kib", type=int, required=True)
    ap.add_argument("--ram-kib", type=int, required=True)
    ap.add_argument("--ram-origin", type=lambda s: int(s, 0), default=0x2000_0000)
    a = ap.parse_args()
    flash = ram = 0
    for name, typ, flags, addr, size in sections(a.elf):
        if not flags & SHF_ALLOC or size == 0:
            continue
        if typ != SHT_NOBITS:
            flash += size
        if addr >= a.ram_origin:
            ram += size
        print(f"  {name:<16} {size:>8} B at {addr:#010x}")
    ok = flash <= a.flash_kib * 1024 and ram <= a.ram_kib * 1024
    print(
        f"{a.elf}: flash {flash} B ({flash / 1024:.1f} KiB, budget {a.flash_kib} KiB), "
        f"static RAM {ram} B ({ram / 1024:.1f} KiB, budget {a.ram_kib} KiB): "
        + ("within budget" if ok else "OVER BUDGET")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
