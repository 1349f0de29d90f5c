"""The recogniser in processes of its own (the server's way): it proposes exactly what the model
proposes in the server's process, a longer text read in parts by several processes included; the
parts cover the text, cut at line ends, each read with a bounded margin of its neighbours; a draft
whose text a process was reading when it died is made by the rules alone and says so, and the next
draft starts it again."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

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
    apart, status = statistical.recogniser(processes=1)
    assert apart is not None and status.on and "in a process of its own" in status.detail
    assert apart.start(ARTICLE)() == local(ARTICLE)
    assert _names(extract(ARTICLE, model=apart)) == _names(extract(ARTICLE, model=local))


def test_two_processes_read_a_long_text_in_parts_and_propose_what_the_model_does_on_the_whole():
    local, _status = statistical.recogniser()
    apart, status = statistical.recogniser(processes=2)
    assert apart is not None and "in 2 processes of its own" in status.detail
    text = ARTICLE + "\n" + ARTICLE.replace("Termez", "Khorog").replace("Karimova", "Rahimova")
    plan = recogniser_process.parts(text, 2)
    assert len(plan) == 2  # read in two parts...
    found = apart.start(text)()
    assert found == local(text)  # ...which together propose what the model does on the whole
    assert {m.text for m in found} >= {"Farrukh Tashkentov", "Khorog"}
    assert any(m.start >= plan[1][0] for m in found) and any(m.start < plan[0][1] for m in found)


def test_a_short_text_or_one_process_is_read_whole():
    short = "A short text.\nTwo lines."
    assert recogniser_process.parts(short, 2) == [(0, len(short), 0, len(short))]
    assert recogniser_process.parts(ARTICLE * 3, 1) == [(0, len(ARTICLE) * 3, 0, len(ARTICLE) * 3)]
    one_sentence = "word " * 200  # nowhere to cut
    assert recogniser_process.parts(one_sentence, 2) == [(0, len(one_sentence), 0, len(one_sentence))]
    paragraph = "The guards seized it. " * 40  # one line: cut at a sentence end
    (own, end, _r, _e), (second, *_rest) = recogniser_process.parts(paragraph, 2)
    assert own == 0 and end == second and paragraph[end - 2 : end] == ". " and abs(end - len(paragraph) / 2) < 30


_LINES = st.lists(st.text(st.sampled_from("ab .,"), max_size=300), min_size=1, max_size=40).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(text=_LINES, count=st.integers(1, 4))
def test_the_parts_cover_the_text_once_cut_at_line_or_sentence_ends_with_bounded_margins(text, count):
    plan = recogniser_process.parts(text, count)
    assert 1 <= len(plan) <= count
    assert plan[0][0] == 0 and plan[-1][1] == len(text)
    for (own, end, read, read_end), following in zip(plan, [*plan[1:], None], strict=True):
        assert own < end or len(text) == 0
        assert read <= own and end <= read_end  # each reads its own part whole...
        assert (
            own - read <= recogniser_process.MARGIN and read_end - end <= recogniser_process.MARGIN
        )  # ...and a margin
        if following is not None:
            assert following[0] == end  # contiguous, cut after a line or a sentence end
            assert text[end - 1] == "\n" or text[end - 2 : end] == ". "


def test_a_draft_read_by_a_process_that_died_is_made_by_the_rules_and_says_so():
    apart, _status = statistical.recogniser(processes=2)
    long = "\n\n".join([ARTICLE] * 40)  # long enough that the processes are still reading it when killed
    pending = apart.start(long)
    second = recogniser_process._current(2)[1]
    second.process.kill()
    second.process.join()
    found = extract(long, model=type("Started", (), {"start": lambda self, text: pending})())
    assert found.recogniser == recogniser_process.FAILED
    assert "Dilnoza Karimova" in {m.text for e in found.entities for m in e.mentions}  # the byline rule
    again, status = statistical.recogniser(processes=2)
    assert again is not None and status.on
    assert second not in recogniser_process._current(2)
    assert again.start(long)() == statistical.recogniser()[0](long)


def test_drafts_of_two_agencies_at_once_each_get_the_proposals_of_their_own_text_only():
    """The processes serve every request of the server: answers read by another request's thread
    are kept for their asker, so no agency's draft ever holds names from another's text."""
    local, _status = statistical.recogniser()
    apart, _status = statistical.recogniser(processes=2)
    texts = {
        "A": [ARTICLE.replace("Termez", town) * 2 for town in ("Khorog", "Osh", "Kulob", "Naryn")],
        "B": [f"Ambassador {name} met officials of NATO in Brussels.\n" * 12 for name in ("Ivan Petrov", "Ali Khan")],
    }
    expected = {agency: [local(t) for t in ts] for agency, ts in texts.items()}
    got: dict[str, list] = {"A": [], "B": []}

    def drafts(agency: str) -> None:
        for _round in range(5):
            for text in texts[agency]:
                got[agency].append(apart.start(text)())

    workers = [threading.Thread(target=drafts, args=(agency,)) for agency in texts]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for agency in texts:
        assert got[agency] == expected[agency] * 5
