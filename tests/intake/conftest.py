"""Fixtures for intake intelligence: a small classifier trained on generated texts."""
import pytest

# Leaves the small model knows, each with enough generated texts to learn.
TRAINED_LEAVES = 8
TEXTS_PER_LEAF = 25


@pytest.fixture(scope="session")
def model_file(tmp_path_factory):
    from shiyu.demo.texts import TicketTextFactory
    from shiyu.nlp.classifier import train
    from shiyu.tickets.reference import read_taxonomy

    factory = TicketTextFactory(read_taxonomy(), seed=11)
    texts, labels = [], []
    for code in factory.leaf_codes[:TRAINED_LEAVES]:
        for n in range(TEXTS_PER_LEAF):
            title, description = factory.ticket(code, "complaint", f"幸福{n}号院", "示范路")
            texts.append(f"{title}。{description}")
            labels.append(code)
    path = tmp_path_factory.mktemp("model") / "category.model"
    train(texts, labels).save(path)
    return path


@pytest.fixture
def with_model(settings, model_file):
    """Intake reads the small model (and forgets it afterwards)."""
    from shiyu.intake import engine

    settings.SHIYU_CLASSIFIER_MODEL = model_file
    engine.forget_all()
    yield model_file
    engine.forget_all()


@pytest.fixture
def text_for():
    """text_for(leaf_code) -> (title, description) of a generated complaint about that leaf."""
    from shiyu.demo.texts import TicketTextFactory
    from shiyu.tickets.reference import read_taxonomy

    factory = TicketTextFactory(read_taxonomy(), seed=99)
    return lambda code, place="和平里3号楼": factory.ticket(code, "complaint", place, "建设路")
