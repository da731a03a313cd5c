"""Coverage-guided fuzzing with atheris (libFuzzer) of the same targets as the property tests.

    python tests/fuzz/atheris_fuzz.py TARGET [-runs=N] [-max_len=N] [CORPUS_DIR ...]
    python tests/fuzz/atheris_fuzz.py --list

`make fuzz FUZZ_RUNS=N` runs every target with a bounded number of inputs. A crash (an exception
other than the entry point's own clear error, or a broken invariant) stops the target, prints the
input and writes it to ``crash-*``; the exit code is then non-zero.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def targets() -> tuple[dict[str, Callable[[bytes], None]], dict[str, list[bytes]]]:
    """Instrument loopline's packages, then import the shared targets (atheris only imported here,
    so collecting this module without the ``fuzz`` extra installed is harmless)."""
    import atheris

    sys.path[:0] = [p for p in (str(HERE), str(HERE.parents[1])) if p not in sys.path]
    with atheris.instrument_imports(include=["topics", "pipelines", "privacy", "fuzz_targets"]):
        import fuzz_targets as t

    def text(data: bytes) -> str:
        return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))

    found: dict[str, Callable[[bytes], None]] = {
        "decode_event": t.check_decode_event,
        "edge_guard": t.check_edge_guard,
        "policy": lambda data: t.check_policy(t.mutate_from_bytes(t.POLICY_DOC, data)),
        "catalogue": lambda data: t.check_catalogue(t.mutate_from_bytes(t.CATALOGUE_DOC, data)),
        "slo_definitions": lambda data: t.check_definitions(t.mutate_from_bytes(t.SLO_DOC, data)),
        "masking": lambda data: t.check_masking(text(data)),
        # ASCII only: every input takes the compiled twins, checked against the Python path
        "masking_ascii": lambda data: t.check_masking(
            bytes(b & 0x7F for b in data).decode("ascii")
        ),
    }
    seeds = {
        "decode_event": [t.SEED_EVENT],
        "edge_guard": [t.SEED_EVENT],
        "masking": [
            b"my card is 4111 1111 1111 1111, mail ann.lee@example.org",
            b"call +44 20 7946 0958",
        ],
        "masking_ascii": [
            b"my name is Ann O'Neil, I live at 12 Elm Road, call five five five one two one two",
            b"IBAN GB82 WEST 1234 5698 7654 32, ssn 078-05-1120, dob 1/2/1990, ip 10.1.2.3",
        ],
    }
    return found, seeds


NAMES = (
    "decode_event", "edge_guard", "policy", "catalogue", "slo_definitions", "masking", "masking_ascii",
)  # fmt: skip


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in NAMES:
        print(f"usage: {argv[0]} TARGET [libFuzzer options]; targets: {', '.join(NAMES)}")
        sys.exit(0 if "--list" in argv else 2)
    import atheris

    name = argv[1]
    found, seeds = targets()
    corpus = Path("build/fuzz") / name
    corpus.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(seeds.get(name, [])):
        (corpus / f"seed-{index}").write_bytes(seed)
    args = [argv[0], *argv[2:], str(corpus)]
    atheris.Setup(args, found[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
