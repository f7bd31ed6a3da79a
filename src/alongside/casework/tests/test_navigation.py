"""Every section of an episode has its page: the navigation under an episode's heading skips a
section whose URL is missing, so this test is what notices one."""

from __future__ import annotations

import uuid

from django.urls import reverse

from alongside.casework.views.common import SECTIONS


def test_every_episode_section_has_a_page():
    for section in SECTIONS:
        url = reverse(section.url_name, kwargs={"pk": uuid.uuid4()})
        assert url.startswith("/staff/casework/episodes/"), section


def test_the_navigation_marks_the_current_section(york, west, lena, staff_client):
    from .factories import active_episode

    episode = active_episode(actor=lena, ward=york["Acomb"])
    page = staff_client(lena).get(reverse("casework:timeline", kwargs={"pk": episode.pk}))
    html = page.content.decode()
    assert html.count('aria-current="page"') == 1
    for section in SECTIONS:
        url = reverse(section.url_name, kwargs={"pk": episode.pk})
        if section.only_for and episode.programme_id not in section.only_for:
            assert url not in html  # e.g. the social prescribing outcome on an LAC episode
        else:
            assert url in html
