"""The recogniser in a process of its own (the server's way): it proposes exactly what the model
proposes in the server's process, a draft whose text it was reading when it died is made by the
rules alone and says so, and the next draft starts it again."""

from __future__ import annotations

from liaison.ingest.extract import recogniser_process, statistical
from liaison.ingest.extract.pipeline import extract

ARTICLE = """Border guards seize heroin near Termez
By: Dilnoza Karimova

TERMEZ, 3 June 2025 - Uzbek border guards seized 40 kg of heroin on the Friendship Bridge, the
State Customs Committee said on Monday. Officials of the CSTO and Interpol were told of the case.

Farrukh Tashkentov, a narcotics analyst in Samarkand, said the route ran through Mazar-i-Sharif.
"""


def _names(found) -> set[tuple[str, str, int]]:
    return {(m.text, e.kind, m.start) for e in found.entities for m in e.mentions}


def test_the_process_proposes_what_the_model_does_here():
    local, _status = statistical.recogniser()
    apart, status = statistical.recogniser(separate=True)
    assert apart is not None and status.on and "in a process of its own" in status.detail
    assert apart.start(ARTICLE)() == local(ARTICLE)
    assert _names(extract(ARTICLE, model=apart)) == _names(extract(ARTICLE, model=local))


def test_a_draft_read_by_a_process_that_died_is_made_by_the_rules_and_says_so():
    apart, _status = statistical.recogniser(separate=True)
    process = recogniser_process._current()
    long = "\n\n".join([ARTICLE] * 40)  # long enough that the process is still reading it when killed
    pending = apart.start(long)
    process.process.kill()
    process.process.join()
    found = extract(long, model=type("Started", (), {"start": lambda self, text: pending})())
    assert found.recogniser == recogniser_process.FAILED
    assert "Dilnoza Karimova" in {m.text for e in found.entities for m in e.mentions}  # the byline rule
    again, status = statistical.recogniser(separate=True)
    assert again is not None and status.on
    assert recogniser_process._current() is not process
    assert again.start(ARTICLE)() == statistical.recogniser()[0](ARTICLE)
