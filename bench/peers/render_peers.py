#!/usr/bin/env python3
"""Render Thai paragraphs with two peer engines (WeasyPrint, headless Chromium).

Usage:
  bench/peers/render_peers.py PARAGRAPHS.txt OUTDIR [--width-pt 200]
                              [--size-pt 9.24] [--align left|justify]

PARAGRAPHS.txt holds one paragraph per line; empty lines and lines starting
with '#' are skipped. Writes to OUTDIR:
  peers.html       every paragraph in its own <p>, Laksaman, fixed width
  weasyprint.pdf   rendered by `weasyprint`          (skipped if not installed)
  chromium.pdf     rendered by `chromium --headless` (skipped if not installed)
  <engine>.txt     `pdftotext -raw -enc UTF-8` of each PDF: one output line
                   per rendered line, so the peers' line ends can be compared
                   with saraban's (see bench/peers/README.md).

Exits 2 on bad arguments, 1 if neither engine is installed or an installed
engine fails, 0 otherwise. Standard library only.
"""

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile

FONT_PATH = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf"
FONT_FAMILY = "LaksamanPeer"
ENGINE_TIMEOUT_S = 300


def read_paragraphs(path):
    paragraphs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                continue
            paragraphs.append(text)
    return paragraphs


def fmt_num(x):
    # 200.0 -> "200", 9.24 -> "9.24": plain CSS numbers, no exponent.
    s = ("%.4f" % x).rstrip("0").rstrip(".")
    return s if s else "0"


def build_html(paragraphs, width_pt, size_pt, align):
    font_url = "file://" + FONT_PATH
    css = (
        "@font-face {\n"
        f"  font-family: \"{FONT_FAMILY}\";\n"
        f"  src: url(\"{font_url}\") format(\"truetype\");\n"
        "  font-weight: normal;\n"
        "  font-style: normal;\n"
        "}\n"
        "@page { size: A4 landscape; margin: 15mm; }\n"
        "html, body { margin: 0; padding: 0; }\n"
        f"body {{ font-family: \"{FONT_FAMILY}\"; }}\n"
        "p {\n"
        f"  font-family: \"{FONT_FAMILY}\";\n"
        f"  width: {fmt_num(width_pt)}pt;\n"
        f"  font-size: {fmt_num(size_pt)}pt;\n"
        "  line-height: 1.2;\n"
        "  margin: 0 0 6pt 0;\n"
        "  padding: 0;\n"
        f"  text-align: {align};\n"
        "  word-break: normal;\n"
        "  overflow-wrap: anywhere;\n"
        "  hyphens: none;\n"
        "}\n"
    )
    body = "\n".join(f"<p>{html.escape(p, quote=True)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n"
        "<html lang=\"th\">\n"
        "<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<title></title>\n"
        f"<style>\n{css}</style>\n"
        "</head>\n"
        "<body>\n"
        f"{body}\n"
        "</body>\n"
        "</html>\n"
    )


def run(cmd, timeout=ENGINE_TIMEOUT_S):
    """Runs cmd; returns (returncode, combined output). Never raises."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return -1, out + f"\n(timed out after {timeout} s)"
    except OSError as e:
        return -1, str(e)


def version_of(binary):
    rc, out = run([binary, "--version"], timeout=60)
    # Debian's chromium wrapper may print shell warnings before the version.
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    keep = [l for l in lines if "version" in l.lower() or l.lower().startswith("chromium")]
    return (keep or lines or ["(unknown)"])[-1]


def fresh(path):
    if os.path.exists(path):
        os.remove(path)


def render_weasyprint(binary, html_path, pdf_path):
    fresh(pdf_path)
    rc, out = run([binary, html_path, pdf_path])
    ok = rc == 0 and os.path.isfile(pdf_path) and os.path.getsize(pdf_path) > 0
    return ok, out


def render_chromium(binary, html_path, pdf_path):
    url = "file://" + html_path
    base = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    log = []
    # --no-pdf-header-footer is the current flag; --print-to-pdf-no-header the
    # older one. Try the current one first and fall back if no PDF appears.
    for header_flag in ("--no-pdf-header-footer", "--print-to-pdf-no-header"):
        fresh(pdf_path)
        profile = tempfile.mkdtemp(prefix="peers-chromium-")
        try:
            cmd = base + [f"--user-data-dir={profile}", header_flag,
                          f"--print-to-pdf={pdf_path}", url]
            rc, out = run(cmd)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        log.append(f"$ {' '.join(cmd)}\n{out}")
        if rc == 0 and os.path.isfile(pdf_path) and os.path.getsize(pdf_path) > 0:
            return True, "\n".join(log)
    return False, "\n".join(log)


def extract_text(pdftotext, pdf_path, txt_path):
    fresh(txt_path)
    rc, out = run([pdftotext, "-raw", "-enc", "UTF-8", pdf_path, txt_path], timeout=120)
    return rc == 0 and os.path.isfile(txt_path), out


def positive_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}")
    if not (v > 0 and v < 1e6):
        raise argparse.ArgumentTypeError(f"must be a positive number: {s!r}")
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Render Thai paragraphs with WeasyPrint and headless Chromium "
                    "for a line-break comparison with saraban.")
    ap.add_argument("paragraphs", help="UTF-8 file, one paragraph per line "
                                       "('#' lines and empty lines skipped)")
    ap.add_argument("outdir", help="output directory (created if missing)")
    ap.add_argument("--width-pt", type=positive_float, default=200.0,
                    help="paragraph width in points (default 200)")
    ap.add_argument("--size-pt", type=positive_float, default=9.24,
                    help="font size in points (default 9.24)")
    ap.add_argument("--align", choices=("left", "justify"), default="left",
                    help="text-align of the paragraphs (default left)")
    args = ap.parse_args(argv)

    if not os.path.isfile(FONT_PATH):
        print(f"error: font not found: {FONT_PATH} (Debian package fonts-tlwg-laksaman-ttf)",
              file=sys.stderr)
        return 1
    try:
        paragraphs = read_paragraphs(args.paragraphs)
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: cannot read {args.paragraphs}: {e}", file=sys.stderr)
        return 1
    if not paragraphs:
        print(f"error: no paragraphs in {args.paragraphs}", file=sys.stderr)
        return 1

    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    html_path = os.path.join(outdir, "peers.html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(build_html(paragraphs, args.width_pt, args.size_pt, args.align))
    print(f"wrote {html_path} ({len(paragraphs)} paragraphs, width {fmt_num(args.width_pt)} pt, "
          f"size {fmt_num(args.size_pt)} pt, align {args.align})")

    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        print("pdftotext not found (Debian package poppler-utils): no .txt will be written")

    engines = [
        ("weasyprint", shutil.which("weasyprint"), render_weasyprint),
        ("chromium", shutil.which("chromium"), render_chromium),
    ]
    present = 0
    failed = 0
    for name, binary, render in engines:
        if not binary:
            print(f"{name}: not found (Debian package {name}), skipped")
            continue
        present += 1
        print(f"{name}: {version_of(binary)}")
        pdf_path = os.path.join(outdir, f"{name}.pdf")
        ok, out = render(binary, html_path, pdf_path)
        if not ok:
            failed += 1
            print(f"{name}: rendering failed; its output:\n{out.rstrip()}", file=sys.stderr)
            continue
        print(f"{name}: wrote {pdf_path} ({os.path.getsize(pdf_path)} bytes)")
        if pdftotext:
            txt_path = os.path.join(outdir, f"{name}.txt")
            ok, out = extract_text(pdftotext, pdf_path, txt_path)
            if ok:
                with open(txt_path, encoding="utf-8", errors="replace") as f:
                    n = sum(1 for _ in f)
                print(f"{name}: wrote {txt_path} ({n} lines)")
            else:
                failed += 1
                print(f"{name}: pdftotext failed:\n{out.rstrip()}", file=sys.stderr)

    if present == 0:
        print("error: neither weasyprint nor chromium is installed", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
