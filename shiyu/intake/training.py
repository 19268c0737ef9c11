"""Training the category classifier on the platform's own tickets."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from shiyu.nlp import classifier as nlp
from shiyu.tickets.models import Status, Ticket

from . import engine
from .models import CategoryCorrection


def training_rows(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(texts, leaf category codes): the newest closed tickets, whose category a handler
    worked under and a resident was called back on, plus every ticket a person
    re-categorised at intake (the corrections), whatever its state now."""
    limit = limit or settings.SHIYU_TRAINING_MAX
    closed = (Ticket.objects.filter(status=Status.CLOSED, category__isnull=False)
              .order_by("-closed_at").values_list("id", "title", "description", "category__code")[:limit])
    corrected = (Ticket.objects.filter(pk__in=CategoryCorrection.objects.values("ticket"), category__isnull=False)
                 .values_list("id", "title", "description", "category__code"))
    rows = {row[0]: row for row in closed}
    rows.update((row[0], row) for row in corrected)
    texts = [engine.ticket_text(title, description) for _id, title, description, _code in rows.values()]
    return texts, [code for *_rest, code in rows.values()]


def train_from_db(out: str | Path | None = None, *, limit: int | None = None, progress=None) -> nlp.Classifier:
    """Train on training_rows() and save to `out` (default: the model intake reads),
    through a temporary file so that running workers never read half a model."""
    texts, labels = training_rows(limit)
    if not texts:
        raise nlp.DataError("No closed or corrected tickets with a category to learn from.")
    model = nlp.train(texts, labels, progress=progress)
    path = Path(out or settings.SHIYU_CLASSIFIER_MODEL)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    model.save(partial)
    partial.replace(path)
    engine.classifier.forget()
    return model
