"""Fictional Czech and Polish names for demo and synthetic data."""

CZ_MALE = ["Petr", "Jan", "Tomáš", "Martin", "Jiří", "Pavel", "Lukáš", "Jakub", "Ondřej", "Michal", "Vojtěch", "Adam", "Filip", "Matěj", "David"]
CZ_FEMALE = ["Jana", "Eva", "Hana", "Lucie", "Kateřina", "Markéta", "Tereza", "Veronika", "Anna", "Eliška", "Barbora", "Klára", "Zuzana", "Adéla", "Marie"]
CZ_SURNAMES = [
    ("Dvořák", "Dvořáková"), ("Novotný", "Novotná"), ("Svoboda", "Svobodová"), ("Černý", "Černá"),
    ("Procházka", "Procházková"), ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"),
    ("Marek", "Marková"), ("Pokorný", "Pokorná"), ("Růžička", "Růžičková"), ("Beneš", "Benešová"),
    ("Fiala", "Fialová"), ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"), ("Zeman", "Zemanová"),
]
PL_MALE = ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Łukasz", "Jakub", "Mateusz", "Kamil", "Marcin", "Szymon", "Antoni", "Jan", "Franciszek", "Wojciech"]
PL_FEMALE = ["Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Magdalena", "Joanna", "Zofia", "Maja", "Julia", "Zuzanna", "Hanna", "Ewa", "Alicja", "Natalia", "Ola"]
PL_SURNAMES = [
    ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"), ("Nowakowski", "Nowakowska"),
]
CZ_STREETS = ["Lipová", "Polní", "Školní", "Nádražní", "Zahradní", "Krátká", "Luční"]
CZ_TOWNS = ["Pardubice", "Chrudim", "Hradec Králové", "Kolín", "Přelouč"]
PL_STREETS = ["Lipowa", "Polna", "Szkolna", "Kościelna", "Ogrodowa", "Krótka", "Leśna"]
PL_TOWNS = ["Gostyń", "Leszno", "Krobia", "Poniec", "Stepnica"]

NAMES = {
    "cz": (CZ_MALE, CZ_FEMALE, CZ_SURNAMES, CZ_STREETS, CZ_TOWNS),
    "pl": (PL_MALE, PL_FEMALE, PL_SURNAMES, PL_STREETS, PL_TOWNS),
}
RELATIONS = {
    "cz": ["babička", "dědeček", "teta", "strýc", "sourozenec", "kmotra"],
    "pl": ["babcia", "dziadek", "ciocia", "wujek", "rodzeństwo", "matka chrzestna"],
}
