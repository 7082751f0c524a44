"""End-to-end tests of the foundation: sign-in and sign-out, language and text size,
keyboard use, accessibility (axe-core) and an account created with a one-time link.

Each test creates its users in the app context before the browser opens a page; the
live server runs the same app on the same database file.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user

#: The interface texts the tests look for, per language (as in the catalogs).
TEXTS = {
    "cs": {
        "sign_in": "Přihlásit se",
        "sign_out": "Odhlásit se",
        "email": "E-mail",
        "password": "Heslo",
        "welcome": "Vítejte, {name}",
        "signed_out": "Odhlášení proběhlo úspěšně.",
        "main_menu": "Hlavní nabídka",
        "home": "Úvod",
        "my_family": "Moje rodina",
        "accounts": "Účty",
        "language": "Jazyk",
        "text_size": "Velikost písma",
        "larger": "Větší písmo",
        "smaller": "Menší písmo",
    },
    "pl": {
        "sign_in": "Zaloguj się",
        "sign_out": "Wyloguj się",
        "email": "E-mail",
        "password": "Hasło",
        "welcome": "Witamy, {name}",
        "signed_out": "Wylogowano.",
        "main_menu": "Menu główne",
        "home": "Strona główna",
        "my_family": "Moja rodzina",
        "accounts": "Konta",
        "language": "Język",
        "text_size": "Rozmiar tekstu",
        "larger": "Większy tekst",
        "smaller": "Mniejszy tekst",
    },
    "en": {
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "email": "E-mail",
        "password": "Password",
        "welcome": "Welcome, {name}",
        "signed_out": "You have been signed out.",
        "main_menu": "Main menu",
        "home": "Home",
        "my_family": "My family",
        "accounts": "Accounts",
        "language": "Language",
        "text_size": "Text size",
        "larger": "Larger text",
        "smaller": "Smaller text",
    },
}


def html(page):
    return page.locator("html")


def click_and_wait(page, locator):
    """Click a boosted link or button and wait until htmx has swapped in the new page.

    The old <main> is marked first; the swap replaces it, so once no marked <main> is
    left the new page is in place (even when it looks the same as the old one).
    """
    page.evaluate("document.querySelector('main').dataset.old = '1'")
    locator.click()
    expect(page.locator("main[data-old]")).to_have_count(0)
    expect(page.locator("main")).to_have_count(1)


def sign_in(page, lang, email, password=PASSWORD):
    """Fill in and send the sign-in form shown on ``page`` in language ``lang``."""
    t = TEXTS[lang]
    expect(page.get_by_role("heading", level=1, name=t["sign_in"])).to_be_visible()
    page.get_by_label(t["email"], exact=True).fill(email)
    page.get_by_label(t["password"], exact=True).fill(password)
    page.get_by_role("button", name=t["sign_in"], exact=True).click()


def expect_welcome(page, lang, user):
    heading = TEXTS[lang]["welcome"].format(name=user.full_name)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def sign_out(page, lang):
    page.get_by_role("button", name=TEXTS[lang]["sign_out"], exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(TEXTS[lang]["signed_out"])
    expect(page.get_by_role("heading", level=1, name=TEXTS[lang]["sign_in"])).to_be_visible()


# 1. Sign in and sign out in the browser's language -------------------------------------


@pytest.mark.parametrize(
    ("locale", "lang", "full_name"),
    [("cs-CZ", "cs", "Jana Dvořáková"), ("pl-PL", "pl", "Anna Wiśniewska")],
)
def test_sign_in_and_out_in_browser_language(app, page_factory, locale, lang, full_name):
    user = make_user("staff", full_name=full_name)
    page = page_factory(locale)
    t = TEXTS[lang]

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    expect(html(page)).to_have_attribute("lang", lang)
    expect(page).to_have_title(re.compile(re.escape(t["sign_in"])))

    sign_in(page, lang, user.email)
    expect_welcome(page, lang, user)
    expect(page).to_have_url(re.compile(r"/staff$"))
    expect(html(page)).to_have_attribute("lang", lang)
    nav = page.get_by_role("navigation", name=t["main_menu"])
    expect(nav.get_by_role("link", name=t["home"])).to_have_attribute("aria-current", "page")

    sign_out(page, lang)
    expect(html(page)).to_have_attribute("lang", lang)
    # Signed out for real: a member page sends back to the sign-in form.
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(page.get_by_role("heading", level=1, name=t["sign_in"])).to_be_visible()


def test_wrong_password_is_refused_in_czech(app, page_factory):
    user = make_user("staff")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    sign_in(page, "cs", user.email, "not the password")
    expect(page.get_by_role("alert")).to_have_text("E-mail nebo heslo není správné.")
    expect(page).to_have_url(re.compile(r"/auth/login"))


# 2. Language switch ----------------------------------------------------------------------


def choose_language(page, current_lang, name, new_lang):
    switch = page.get_by_role("form", name=TEXTS[current_lang]["language"])
    click_and_wait(page, switch.get_by_role("button", name=name, exact=True))
    expect(html(page)).to_have_attribute("lang", new_lang)
    expect(page.get_by_role("heading", level=1, name=TEXTS[new_lang]["sign_in"])).to_be_visible()
    expect(
        page.get_by_role("form", name=TEXTS[new_lang]["language"]).get_by_role("button", name=name)
    ).to_have_attribute("aria-pressed", "true")


def test_language_switch_persists_and_survives_sign_in(app, page_factory):
    user = make_user("staff", full_name="Eva Nováková")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    expect(html(page)).to_have_attribute("lang", "cs")
    expect(
        page.get_by_role("form", name="Jazyk").get_by_role("button", name="Čeština")
    ).to_have_attribute("aria-pressed", "true")

    choose_language(page, "cs", "Polski", "pl")
    page.reload()
    expect(html(page)).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", level=1, name="Zaloguj się")).to_be_visible()

    choose_language(page, "pl", "English", "en")
    page.reload()
    expect(html(page)).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()

    sign_in(page, "en", user.email)
    expect_welcome(page, "en", user)
    expect(html(page)).to_have_attribute("lang", "en")
    page.reload()
    expect_welcome(page, "en", user)
    expect(html(page)).to_have_attribute("lang", "en")


def test_language_switch_when_signed_in_is_saved_on_the_account(app, page_factory):
    user = make_user("staff")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    sign_in(page, "cs", user.email)
    expect_welcome(page, "cs", user)

    page.get_by_role("form", name="Jazyk").get_by_role("button", name="Polski").click()
    expect(html(page)).to_have_attribute("lang", "pl")
    expect_welcome(page, "pl", user)
    expect(page).to_have_url(re.compile(r"/staff$"))

    # Another device (a fresh context, Czech browser) gets the account's language.
    other = page_factory("cs-CZ")
    other.goto("/auth/login")
    sign_in(other, "cs", user.email)
    expect_welcome(other, "pl", user)
    expect(html(other)).to_have_attribute("lang", "pl")


# 3. Text size ----------------------------------------------------------------------------


def test_text_size_switch_changes_and_persists(app, page_factory):
    user = make_user("staff")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    t = TEXTS["cs"]
    switch = page.get_by_role("form", name=t["text_size"])
    larger = switch.get_by_role("button", name=t["larger"])
    smaller = switch.get_by_role("button", name=t["smaller"])
    expect(larger).to_have_text("A+")
    expect(smaller).to_have_text("A−")
    expect(html(page)).to_have_class("text-size-0")
    base_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

    def press(button, expected):
        click_and_wait(page, button)
        expect(html(page)).to_have_class(f"text-size-{expected}")

    press(larger, "1")
    press(larger, "2")
    bigger_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert bigger_size > base_size
    press(smaller, "1")

    page.reload()
    expect(html(page)).to_have_class("text-size-1")

    # Down past the default: one smaller step exists, then it stops.
    press(smaller, "0")
    press(smaller, "m1")
    press(smaller, "m1")
    smaller_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert smaller_size < base_size

    # Signed in, the account keeps the size: it follows the user to another device.
    sign_in(page, "cs", user.email)
    expect_welcome(page, "cs", user)
    current = html(page).get_attribute("class").removeprefix("text-size-")
    steps = ["m1", "0", "1", "2", "3"]
    for expected in steps[steps.index(current) + 1:]:
        press(larger, expected)
    press(larger, "3")  # the largest step: it stops there
    page.reload()
    expect(html(page)).to_have_class("text-size-3")
    other = page_factory("cs-CZ")
    other.goto("/auth/login")
    expect(html(other)).to_have_class("text-size-0")
    sign_in(other, "cs", user.email)
    expect_welcome(other, "cs", user)
    expect(html(other)).to_have_class("text-size-3")


# 4. Keyboard only ------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || "").trim().slice(0, 40),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    focusVisible: el.matches(":focus-visible"),
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def assert_visible_focus(info):
    assert info["focusVisible"], info
    assert info["outlineStyle"] != "none" and info["outlineWidth"] >= 2, info


def tab_to(page, element_id, limit=30):
    """Press Tab until the element with ``element_id`` has focus; every stop shows focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info["tag"] != "body":
            assert_visible_focus(info)
        if info["id"] == element_id:
            return info
    pytest.fail(f"#{element_id} never got focus with Tab")


def test_sign_in_with_the_keyboard_only(app, page_factory):
    user = make_user("caregiver", full_name="Petr Svoboda")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    expect(page.get_by_role("heading", level=1, name="Přihlásit se")).to_be_visible()
    # The e-mail field has focus on arrival (autofocus) and shows it.
    info = focused(page)
    assert info["id"] == "email", info
    assert_visible_focus(info)

    # Tab through the whole page and around to the e-mail field again: every stop shows
    # its focus, and the skip link comes first and appears when focused.
    page.keyboard.press("Tab")
    stops = []
    for _ in range(30):
        info = focused(page)
        if info["tag"] != "body":
            assert_visible_focus(info)
            stops.append(info["id"] or info["text"])
        if info["text"] == "Přejít na obsah":
            expect(page.get_by_role("link", name="Přejít na obsah")).to_be_in_viewport()
        if info["id"] == "email" and stops[:1] != ["email"]:
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never came back to the e-mail field: {stops}")
    assert "Přejít na obsah" in stops, stops
    assert stops.index("Přejít na obsah") < stops.index("email"), stops

    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["id"] == "password", info
    assert_visible_focus(info)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect_welcome(page, "cs", user)
    expect(page).to_have_url(re.compile(r"/my$"))

    # Signing out works from the keyboard too: Tab to the button, press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        info = focused(page)
        if info["text"] == "Odhlásit se":
            break
    else:
        pytest.fail("the sign-out button never got focus with Tab")
    assert_visible_focus(info)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Přihlásit se")).to_be_visible()


# 5. Accessibility (axe-core) -------------------------------------------------------------


@pytest.mark.parametrize("locale", ["cs-CZ", "pl-PL", "en-GB"])
def test_sign_in_page_has_no_axe_violations(app, page_factory, assert_no_axe_violations, locale):
    page = page_factory(locale)
    page.goto("/auth/login")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)


def test_sign_in_page_with_errors_has_no_axe_violations(app, page_factory, assert_no_axe_violations):
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    sign_in(page, "cs", "nobody@example.org", "wrong password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page)


def test_member_pages_have_no_axe_violations(app, page_factory, assert_no_axe_violations):
    admin = make_user("admin", full_name="Marie Správcová")
    staff = make_user("staff", full_name="Tomáš Černý")
    caregiver = make_user("caregiver", full_name="Lucie Malá")

    pages = {
        staff: ["/staff", "/account/password"],
        caregiver: ["/my", "/account/password"],
        admin: ["/staff", "/admin/users", "/admin/organisation", "/account/password"],
    }
    for user, paths in pages.items():
        page = page_factory("cs-CZ")
        page.goto("/auth/login")
        sign_in(page, "cs", user.email)
        expect_welcome(page, "cs", user)
        for path in paths:
            page.goto(path)
            expect(page).to_have_url(re.compile(re.escape(path) + "$"))
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_no_axe_violations(page)


# 6. An account created with a one-time link ----------------------------------------------


def test_admin_creates_caregiver_with_one_time_link(app, page_factory, assert_no_axe_violations):
    admin = make_user("admin", full_name="Marie Správcová")
    page = page_factory("cs-CZ")
    page.goto("/auth/login")
    sign_in(page, "cs", admin.email)
    expect_welcome(page, "cs", admin)

    page.get_by_role("navigation", name="Hlavní nabídka").get_by_role("link", name="Účty").click()
    expect(page.get_by_role("heading", level=1, name="Účty")).to_be_visible()
    form = page.locator("#create-user-form")
    form.get_by_label("Jméno a příjmení").fill("Kateřina Veselá")
    # An e-mail already in use: the form comes back with the error beside the field,
    # which gets the focus.
    form.get_by_label("E-mail").fill(admin.email)
    form.get_by_role("button", name="Vytvořit účet").click()
    email = form.get_by_label("E-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(form).to_contain_text("Účet s tímto e-mailem už existuje.")
    expect(form.get_by_label("Jméno a příjmení")).to_have_value("Kateřina Veselá")
    expect(page.locator("main")).to_have_count(1)

    email.fill("katerina.vesela@example.org")
    form.get_by_label("Role").select_option(label="Pěstoun")
    link_choice = form.get_by_role("radio", name="Jednorázový odkaz k nastavení hesla")
    expect(link_choice).to_be_checked()
    form.get_by_role("button", name="Vytvořit účet").click()

    expect(page.get_by_role("heading", name="Účet byl vytvořen")).to_be_visible()
    expect(page.get_by_text("Kateřina Veselá (katerina.vesela@example.org)")).to_be_visible()
    # The answer replaces the form; it is not a second page inside the first.
    expect(page.locator("main")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    link = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/auth/set-password/\S+", link), link
    assert_no_axe_violations(page)

    # The new caregiver opens the link on their own device.
    other = page_factory("cs-CZ")
    other.goto(link)
    expect(other.get_by_role("heading", level=1, name="Zvolte si heslo")).to_be_visible()
    expect(other.get_by_text("Účet: katerina.vesela@example.org")).to_be_visible()
    new_password = "zelena louka u potoka"
    other.get_by_label("Nové heslo", exact=True).fill(new_password)
    other.get_by_label("Nové heslo znovu").fill(new_password)
    other.get_by_role("button", name="Uložit heslo").click()
    expect(other.get_by_role("status")).to_contain_text("Heslo je nastaveno. Nyní se můžete přihlásit.")

    sign_in(other, "cs", "katerina.vesela@example.org", new_password)
    expect(other.get_by_role("heading", level=1, name="Vítejte, Kateřina Veselá")).to_be_visible()
    expect(other).to_have_url(re.compile(r"/my$"))
    nav = other.get_by_role("navigation", name="Hlavní nabídka")
    expect(nav.get_by_role("link", name="Moje rodina")).to_be_visible()
    expect(nav.get_by_role("link", name="Účty")).to_have_count(0)

    # The link works only once.
    third = page_factory("cs-CZ")
    third.goto(link)
    expect(third.get_by_role("heading", level=1, name="Stránka nenalezena")).to_be_visible()
