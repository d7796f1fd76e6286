"""Personal and business names of many cultures, drawn vectorised for synthetic parties.

Names depend only on culture and gender, never on a party's population, so they leak no label.
"""

from __future__ import annotations

import numpy as np

# culture -> (female given names, male given names, surnames)
CULTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "anglo": (
        ("Emma", "Olivia", "Sarah", "Jessica", "Karen", "Linda", "Michelle", "Amy", "Rebecca",
         "Laura", "Hannah", "Chloe", "Grace", "Susan", "Megan", "Rachel", "Kate", "Lucy"),
        ("James", "John", "Michael", "David", "Robert", "Peter", "Mark", "Paul", "Steven",
         "Andrew", "Daniel", "Matthew", "Chris", "Brian", "Gary", "Kevin", "Thomas", "Jack"),
        ("Smith", "Jones", "Williams", "Brown", "Taylor", "Wilson", "Johnson", "White", "Martin",
         "Anderson", "Thompson", "Walker", "Harris", "Clarke", "Robinson", "Wright", "Kelly",
         "Campbell", "Stewart", "Murphy", "Baker", "Hughes", "Miller", "Davis", "Evans", "Young"),
    ),
    "german": (
        ("Anna", "Julia", "Katharina", "Sabine", "Petra", "Lena", "Laura", "Monika", "Claudia",
         "Sophie", "Marie", "Nicole"),
        ("Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Klaus", "Lukas", "Jan", "Markus",
         "Frank", "Uwe", "Tobias"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz"),
    ),
    "swedish": (
        ("Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Elin", "Ingrid", "Linnea", "Maja",
         "Sofia", "Johanna"),
        ("Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Magnus", "Oskar", "Nils",
         "Fredrik", "Gustav"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
         "Persson", "Svensson", "Gustafsson", "Lindberg", "Lindqvist", "Berg", "Holm"),
    ),
    "filipino": (
        ("Maria", "Angelica", "Kristine", "Jasmine", "Mary Grace", "Rowena", "Marites", "Joy",
         "Lovely", "Princess", "Analyn", "Jennylyn", "Rosalie", "Cherry", "Divina", "Shiela",
         "Marjorie", "Aileen", "Rhea", "Lourdes"),
        ("Jose", "Juan", "Mark Anthony", "Jomar", "Rodel", "Ramon", "Arnel", "Christian",
         "Jerome", "Reynaldo", "Ariel", "Romeo", "Noel", "Benjie", "Dante", "Renato"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres",
         "Villanueva", "Ramos", "Aquino", "Dela Cruz", "Castillo", "Flores", "Gonzales",
         "Manalo", "Pascual", "Navarro", "Salazar", "Domingo", "Fernandez", "Soriano"),
    ),
    "thai": (
        ("Siriporn", "Malee", "Nittaya", "Kanya", "Pranee", "Ratana", "Suda", "Wanida",
         "Pimchanok", "Araya", "Kanokwan", "Jintana"),
        ("Somchai", "Somsak", "Anan", "Prasert", "Wichai", "Chaiya", "Kittisak", "Surachai",
         "Nattapong", "Thanakorn"),
        ("Saetang", "Srisuk", "Wongsakul", "Chaiyaporn", "Sukprasert", "Thongdee", "Boonmee",
         "Rattanakorn", "Phromma", "Kaewkham", "Siriwat", "Charoenchai"),
    ),
    "vietnamese": (
        ("Thi Lan", "Thi Hoa", "Thi Mai", "Thi Huong", "Ngoc Anh", "Thu Trang", "Thi Thu",
         "Bich Ngoc", "Thanh Huyen", "My Linh"),
        ("Van Minh", "Van Hung", "Duc Anh", "Quang Huy", "Van Nam", "Minh Tuan", "Van Long",
         "Thanh Son", "Hoang Nam", "Van Thanh"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do", "Ho",
         "Ngo", "Duong", "Ly"),
    ),
    "indonesian": (
        ("Siti", "Dewi", "Sri", "Rina", "Ayu", "Putri", "Indah", "Wulan", "Fitri", "Nur",
         "Lestari", "Ratna"),
        ("Budi", "Agus", "Eko", "Joko", "Rizky", "Andi", "Dedi", "Hendra", "Wahyu", "Bayu"),
        ("Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Pratama", "Setiawan",
         "Nugroho", "Susanto", "Halim", "Gunawan", "Siregar"),
    ),
    "indian": (
        ("Priya", "Anjali", "Sunita", "Pooja", "Kavita", "Neha", "Lakshmi", "Deepa", "Meena",
         "Divya", "Aarti", "Rekha"),
        ("Rahul", "Amit", "Suresh", "Rajesh", "Vikram", "Arjun", "Sanjay", "Ravi", "Anil",
         "Manoj", "Kiran", "Harpreet"),
        ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Nair", "Iyer", "Das", "Shah",
         "Mehta", "Joshi", "Pillai", "Rao", "Gill"),
    ),
    "chinese": (
        ("Mei", "Li Na", "Xiu Ying", "Jing", "Yan", "Hui", "Ling", "Fang", "Xin Yi", "Wen"),
        ("Wei", "Jun", "Hao", "Lei", "Ming", "Jian", "Tao", "Qiang", "Yong", "Bo"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
         "Lin"),
    ),
    "hispanic": (
        ("María", "Valentina", "Camila", "Daniela", "Paola", "Luisa", "Carolina", "Andrea",
         "Juliana", "Alejandra", "Yuliana", "Natalia", "Gabriela", "Sofía"),
        ("Juan Carlos", "Andrés", "Santiago", "Carlos", "Jorge", "Luis", "Diego", "Felipe",
         "Alejandro", "Miguel", "José Luis", "Camilo"),
        ("García", "Rodríguez", "Martínez", "López", "Gómez", "Hernández", "Díaz", "Pérez",
         "Sánchez", "Ramírez", "Torres", "Vargas", "Castro", "Rojas", "Moreno", "Ospina",
         "Jiménez", "Muñoz"),
    ),
    "romanian": (
        ("Elena", "Ioana", "Andreea", "Maria", "Alexandra", "Cristina", "Mihaela", "Gabriela",
         "Bianca", "Daniela", "Roxana"),
        ("Andrei", "Ion", "Mihai", "Alexandru", "Florin", "Gheorghe", "Adrian", "Cristian",
         "Bogdan", "Marius"),
        ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Rusu",
         "Munteanu", "Matei", "Constantin", "Marin", "Dobre"),
    ),
    "nigerian": (
        ("Chioma", "Ngozi", "Aisha", "Funmilayo", "Blessing", "Adaeze", "Folake", "Amaka",
         "Precious", "Yetunde"),
        ("Chinedu", "Emeka", "Oluwaseun", "Ibrahim", "Tunde", "Obinna", "Segun", "Uche",
         "Ikenna", "Babatunde", "Musa", "Kelechi"),
        ("Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Olawale", "Nwosu", "Abubakar",
         "Adebayo", "Chukwu", "Ogunleye", "Balogun"),
    ),
    "ghanaian": (
        ("Akosua", "Abena", "Ama", "Efua", "Adwoa", "Yaa", "Esi", "Afia"),
        ("Kwame", "Kofi", "Kwabena", "Yaw", "Kojo", "Kwaku", "Nana", "Kwesi"),
        ("Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyeman", "Appiah", "Darko",
         "Ofori", "Amoah"),
    ),
    "ivorian": (
        ("Aminata", "Fatou", "Mariam", "Awa", "Adjoua", "Affoué", "Salimata"),
        ("Koffi", "Yao", "Kouassi", "Moussa", "Seydou", "Konan", "Drissa"),
        ("Kouamé", "Traoré", "Koné", "Coulibaly", "Ouattara", "Diabaté", "Yao", "Bamba",
         "N'Guessan"),
    ),
    "malay": (
        ("Nurul", "Siti Aisyah", "Farah", "Nor Azlina", "Aminah", "Zulaikha", "Liyana"),
        ("Ahmad", "Muhammad", "Mohd Faizal", "Hafiz", "Azman", "Ismail", "Razak"),
        ("bin Abdullah", "binti Ahmad", "bin Ismail", "Tan", "Lim", "Ng", "Wong", "Hassan"),
    ),
    "ukrainian": (
        ("Olena", "Iryna", "Natalia", "Oksana", "Yulia", "Tetiana", "Kateryna"),
        ("Oleksandr", "Andriy", "Serhiy", "Dmytro", "Volodymyr", "Mykola", "Ivan"),
        ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
         "Boyko", "Koval"),
    ),
    "polish": (
        ("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Ewa", "Monika"),
        ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
         "Zieliński"),
    ),
    "arabic": (
        ("Fatima", "Aisha", "Layla", "Noor", "Mariam", "Huda", "Rania", "Yasmin"),
        ("Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Khalid", "Youssef", "Tariq"),
        ("Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Aziz", "Hamdan", "Rahman"),
    ),
}

# Where a culture's given name comes after the surname when written in full.
_SURNAME_FIRST = {"vietnamese", "chinese"}

COUNTRY_CULTURE: dict[str, str] = {
    "AU": "anglo", "US": "anglo", "GB": "anglo", "CA": "anglo", "IE": "anglo", "NZ": "anglo",
    "DE": "german", "AT": "german", "SE": "swedish", "PH": "filipino", "TH": "thai",
    "VN": "vietnamese", "ID": "indonesian", "IN": "indian", "CN": "chinese", "CO": "hispanic",
    "DO": "hispanic", "MX": "hispanic", "RO": "romanian", "NG": "nigerian", "GH": "ghanaian",
    "CI": "ivorian", "MY": "malay", "UA": "ukrainian", "PL": "polish", "AE": "arabic",
    "LB": "arabic", "JM": "anglo", "RU": "ukrainian", "NL": "german", "CY": "anglo",
}

CULTURE_NAMES = tuple(CULTURES)

_BUSINESS_WORDS = ("Harbour", "Summit", "Bright", "Northstar", "Bluegum", "Ironbark", "Kestrel",
                   "Pacific", "Meridian", "Oakleaf", "Redline", "Silverline", "Evergreen",
                   "Keystone", "Lighthouse", "Granite", "Copper", "Riverside", "Apex", "Nimbus")
_BUSINESS_TRADES = ("Digital", "Logistics", "Design", "Consulting", "Media", "Solutions",
                    "Trading", "Marketing", "Software", "Property", "Health", "Imports",
                    "Studio", "Accounting", "Services", "Labs")


def culture_of(country: str) -> str:
    """The naming culture used for people living in ``country``."""
    return COUNTRY_CULTURE.get(country, "anglo")


def person_names(rng: np.random.Generator, cultures: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Full names for people of the given culture indices (into CULTURE_NAMES) and genders."""
    out = np.empty(len(cultures), dtype=object)
    for code in np.unique(cultures):
        rows = np.flatnonzero(cultures == code)
        name = CULTURE_NAMES[int(code)]
        fem, mal, sur = (np.array(x, dtype=object) for x in CULTURES[name])
        is_f = female[rows]
        given = np.where(is_f, fem[rng.integers(0, len(fem), len(rows))],
                         mal[rng.integers(0, len(mal), len(rows))])
        family = sur[rng.integers(0, len(sur), len(rows))]
        out[rows] = _join(given, family, name in _SURNAME_FIRST)
    return out


def family_names(full_names: np.ndarray, cultures: np.ndarray) -> np.ndarray:
    """The surname part of full names written by ``person_names``."""
    out = np.empty(len(full_names), dtype=object)
    for i, (name, code) in enumerate(zip(full_names, cultures, strict=True)):
        words = str(name).split(" ")
        out[i] = words[0] if CULTURE_NAMES[int(code)] in _SURNAME_FIRST else words[-1]
    return out


def with_surname(rng: np.random.Generator, cultures: np.ndarray, female: np.ndarray,
                 surnames: np.ndarray) -> np.ndarray:
    """Full names for relatives who carry a given surname."""
    out = np.empty(len(cultures), dtype=object)
    for code in np.unique(cultures):
        rows = np.flatnonzero(cultures == code)
        name = CULTURE_NAMES[int(code)]
        fem, mal, _ = (np.array(x, dtype=object) for x in CULTURES[name])
        given = np.where(female[rows], fem[rng.integers(0, len(fem), len(rows))],
                         mal[rng.integers(0, len(mal), len(rows))])
        out[rows] = _join(given, surnames[rows], name in _SURNAME_FIRST)
    return out


def business_names(rng: np.random.Generator, n: int, suffix: str) -> np.ndarray:
    """Company names such as 'Kestrel Digital Pty Ltd'."""
    a = np.array(_BUSINESS_WORDS, dtype=object)[rng.integers(0, len(_BUSINESS_WORDS), n)]
    b = np.array(_BUSINESS_TRADES, dtype=object)[rng.integers(0, len(_BUSINESS_TRADES), n)]
    return a + " " + b + " " + suffix


def _join(given: np.ndarray, family: np.ndarray, surname_first: bool) -> np.ndarray:
    if surname_first:
        return family + " " + given
    return given + " " + family
