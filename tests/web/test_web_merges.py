"""The "same entity" panel of object pages, in-process on both databases."""

from __future__ import annotations

import orjson
from stixdata import bundle, sdo


def test_merge_and_split_from_the_object_page(web, client, tenants):
    main = sdo("identity", name="Halim Rasulov", identity_class="individual")
    variant = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    hidden = sdo("identity", name="H. Rasulov", identity_class="individual")
    client.post(
        "/api/v1/bundles",
        params={"audience": "instance"},
        content=orjson.dumps(bundle(main, variant)),
        headers=tenants.headers("alice"),
    )
    client.post(
        "/api/v1/bundles",
        params={"audience": "org"},
        content=orjson.dumps(bundle(hidden)),
        headers=tenants.headers("bob"),
    )
    alice, bob, carol = web("alice"), web("bob"), web("carol")
    assert 'hx-get="/objects/' + main["id"] + '/merges-panel"' in alice.get(f"/objects/{main['id']}").text
    panel = alice.post(f"/objects/{variant['id']}/merge", {"other": main["id"], "role": "duplicate"}).text
    assert "Khalim Rasulov</a> is the same entity as" in panel and "Split" in panel
    # Both are shared with the instance, so the merge is too: Charlie sees it, and may not split it.
    seen = carol.get(f"/objects/{main['id']}/merges-panel").text
    assert "Khalim Rasulov" in seen and "Split" not in seen
    # Bravo's own object is not Alpha's to merge: the same answer as for an unknown id.
    refused = alice.post(f"/objects/{main['id']}/merge", {"other": hidden["id"], "role": "canonical"}).text
    assert f"no object {hidden['id']}" in refused and "H. Rasulov" not in refused
    relationship = panel.split("/merges/")[1].split("/split")[0]
    assert "only the organisation that merged" in bob.post(f"/objects/{main['id']}/merges/{relationship}/split").text
    after = alice.post(f"/objects/{main['id']}/merges/{relationship}/split").text
    assert "No merges you can see" in after
