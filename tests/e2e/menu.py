"""The top bar's Menu button: on a phone the page links fold away under it."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def open_menu(page: Page, name: str = "Menu") -> None:
    """Open the page links when they are folded away (a phone-sized window)."""
    button = page.locator(".menu-toggle")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        expect(button).to_contain_text(name)
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
