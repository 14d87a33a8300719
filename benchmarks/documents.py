"""Render 50 mixed documents: documents per second in one process and in a process pool, and our
overhead over bare WeasyPrint rendering the very same HTML (target: under 20%).

    .venv/bin/python benchmarks/documents.py [--n 50] [--workers N]

"Bare" is `weasyprint.HTML(string=html).write_pdf()` with the same stylesheet and no options; "ours"
is the whole pipeline: schema validation, sandboxed Jinja, word breaks, the data:-only URL fetcher,
PDF/A-3b. Start-up (importing WeasyPrint, spawning workers) is timed separately and excluded.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from witness.forms import _Loader  # noqa: E402
from witness.outputs.documents.catalogue import KINDS  # noqa: E402
from witness.outputs.documents.render import TEMPLATES, RenderPool, Renderer, parse  # noqa: E402
from witness.outputs.documents.texts import languages  # noqa: E402


def mixed(n: int) -> list:
    """n documents cycling through every kind and each of its languages (Latin, Thai, Khmer, Lao, Burmese)."""
    combos = [(kind, lang) for kind in KINDS for lang in languages(TEMPLATES, kind)]
    out = []
    for i in range(n):
        kind, lang = combos[i * 7 % len(combos)]
        data = yaml.load((TEMPLATES / kind / "sample.yaml").read_text(encoding="utf-8"), Loader=_Loader)
        data["lang"] = lang
        out.append(data)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    payloads = mixed(args.n)

    t = time.perf_counter()
    renderer = Renderer()
    renderer.pdf(parse(payloads[0]))  # first render warms fonts and caches
    startup = time.perf_counter() - t

    # ours, one long-lived process
    t = time.perf_counter()
    pages = sum(renderer.pdf(parse(p)).pages for p in payloads)
    ours = time.perf_counter() - t

    # bare WeasyPrint on the same HTML and stylesheet
    from weasyprint import CSS, HTML

    htmls = [(renderer.html(parse(p)), p["lang"]) for p in payloads]
    from witness.outputs.documents.thai_font import font_face_css

    # the same fonts as ours: the derived Thai font (thai_font.py) is part of what both render with
    css = CSS(string=font_face_css() + "\n" + (TEMPLATES / "print.css").read_text(encoding="utf-8"))
    HTML(string=htmls[0][0]).write_pdf(stylesheets=[css])
    t = time.perf_counter()
    for html, _ in htmls:
        HTML(string=html).write_pdf(stylesheets=[css])
    bare = time.perf_counter() - t

    # pooled
    t = time.perf_counter()
    with RenderPool(args.workers) as pool:
        pool.warm_up()
        spawn = time.perf_counter() - t
        docs = [parse(p) for p in payloads]
        t = time.perf_counter()
        pool.render(docs)
        pooled = time.perf_counter() - t

    n = len(payloads)
    print(f"documents: {n} mixed ({len({p['kind'] for p in payloads})} kinds, "
          f"{len({p['lang'] for p in payloads})} languages, {pages} pages); cpus: {os.cpu_count()}")
    print(f"start-up (import + first render): {startup:.2f} s; pool of {args.workers} spawned and warmed in {spawn:.2f} s")
    print(f"single process: {n / ours:.2f} documents/s ({ours / n * 1000:.0f} ms each)")
    print(f"pooled ({args.workers} workers): {n / pooled:.2f} documents/s")
    print(f"bare WeasyPrint, same HTML: {n / bare:.2f} documents/s ({bare / n * 1000:.0f} ms each)")
    print(f"our overhead over bare WeasyPrint: {(ours - bare) / bare * 100:+.1f}% (target < 20%)")


if __name__ == "__main__":
    main()
