"""The benches' protocols: the labelled set of bench/data/protocols.yaml, and fillers up to a total.

Used by bench/suggest.py and bench/desk.py; call after Django is set up.
"""

from benchkit import ROOT

PROTOCOLS_FILE = ROOT / "bench" / "data" / "protocols.yaml"
FILLER_KEY = "filler-"


def import_set() -> None:
    """Import the labelled set (published), creating the departments it names; a no-op once it is in."""
    from django.core.management import call_command

    call_command("import_protocols", PROTOCOLS_FILE, "--create-departments", verbosity=0)


def add_fillers(total: int) -> None:
    """Protocols about other things, so the index has `total`: same shape, different words."""
    from protocols.models import Protocol, ProtocolVersion
    from protocols.workflow import Status

    real = list(Protocol.objects.published().exclude(key__startswith=FILLER_KEY).select_related("current"))
    have = Protocol.objects.published().count()
    first = Protocol.objects.filter(key__startswith=FILLER_KEY).count()  # numbers already taken
    for number in range(first, first + total - have):
        source = real[number % len(real)].current
        protocol = Protocol.objects.create(
            key=f"{FILLER_KEY}{number}", department=real[0].department, status=Status.PUBLISHED
        )
        suffix = f" (regeling {number}, wijk {number % 37})"
        protocol.current = ProtocolVersion.objects.create(
            protocol=protocol,
            number=1,
            title=f"Regeling {number}: {source.title.split()[-1]}",
            questions=[f"Vraag over regeling {number} in wijk {number % 37}?", source.questions[-1] + suffix],
            answers={lang: text + suffix for lang, text in source.answers.items()},
        )
        protocol.save(update_fields=["current"])
