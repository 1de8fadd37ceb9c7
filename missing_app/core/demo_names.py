"""Word lists for the demo data: Merseyside places, plausible names, coded lists.

Every person, home and provider here is invented. Phone numbers use Ofcom's 07700 900xxx
range, which is kept for drama and never issued.
"""

from __future__ import annotations

from missing_app.core import interview_codes

MERSEYSIDE = ("Liverpool", "Knowsley", "Sefton", "St Helens", "Wirral")
# Share of homes per council: Liverpool has the most, St Helens the fewest.
COUNCIL_WEIGHTS = (0.38, 0.13, 0.17, 0.12, 0.20)

OUT_OF_AREA = (
    "Lancashire",
    "Cheshire West and Chester",
    "Cheshire East",
    "Manchester",
    "Warrington",
    "Halton",
    "Wigan",
    "Salford",
    "Bolton",
    "Blackpool",
)

# Postcode districts inside each council (a few straddle borders; these sit inside).
POSTCODE_DISTRICTS = {
    "Liverpool": (
        "L4", "L5", "L6", "L7", "L8", "L9", "L11", "L12", "L13", "L14",
        "L15", "L16", "L17", "L18", "L19", "L24", "L25", "L27",
    ),
    "Knowsley": ("L28", "L32", "L33", "L34", "L35", "L36"),
    "Sefton": ("L20", "L21", "L22", "L23", "L30", "L31", "L37", "PR8", "PR9"),
    "St Helens": ("WA9", "WA10", "WA11"),
    "Wirral": (
        "CH41", "CH42", "CH43", "CH44", "CH45", "CH46", "CH47", "CH48", "CH49",
        "CH60", "CH61", "CH62", "CH63",
    ),
}  # fmt: skip
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

RHI_PROVIDERS = {
    "Liverpool": "Liverpool RHI service",
    "Knowsley": "Catch22",
    "Sefton": "Sefton RHI team",
    "St Helens": "Catch22",
    "Wirral": "Catch22",
}

HOME_NAME_FIRST = (
    "Oakview", "Beech", "Ash", "Elm", "Willow", "Cedar", "Rowan", "Birch", "Holly", "Maple",
    "Hazel", "Larch", "Laurel", "Heather", "Meadow", "Brook", "Fern", "Hawthorn", "Chestnut",
    "Sycamore", "Linden", "Poplar", "Alder", "Juniper", "Primrose", "Bramble", "Clover",
    "Orchard", "Heath", "Ivy", "Hillside", "Parkside", "Woodside", "Fairview", "Greenbank",
    "Highfield", "Westfield", "Northwood", "Eastbrook", "Kingsway", "Priory", "Mersey",
    "Sandfield", "Seaview", "Larkhill", "Rosewood", "Stonecroft", "Willowbank", "Brookside",
    "Thornfield", "Redwood", "Silverdale", "Ashgrove", "Mossley", "Elmhurst", "Riverside",
)  # fmt: skip
HOME_NAME_SECOND = ("House", "Lodge", "Cottage", "Court", "Grange", "Villa", "Place", "Close")

PROVIDERS = (
    "Liverpool City Council",
    "Knowsley Council",
    "Sefton Council",
    "St Helens Borough Council",
    "Wirral Council",
    "Horizon Children's Care Ltd",
    "Rivermede Children's Services",
    "Brighter Pathways Care",
    "Northern Lights Residential",
    "Keystone Childcare Ltd",
    "Compass Point Care",
    "Harbourside Care Group",
    "Meadowbrook Children's Homes",
    "New Dawn Residential Ltd",
    "Safe Harbour Care Ltd",
)
# Council-run homes only appear in their own council; index into PROVIDERS.
COUNCIL_PROVIDER = dict(zip(MERSEYSIDE, range(5), strict=True))
FIRST_PRIVATE_PROVIDER = 5

BOYS = (
    "Jack", "Oliver", "Harry", "Charlie", "Thomas", "Joshua", "James", "Alfie", "William",
    "Daniel", "George", "Jacob", "Samuel", "Joseph", "Lewis", "Ethan", "Mohammed", "Dylan",
    "Ryan", "Callum", "Kai", "Riley", "Tyler", "Liam", "Mason", "Logan", "Jayden", "Kyle",
    "Connor", "Reece", "Leo", "Finley", "Harvey", "Max", "Archie", "Jake", "Luke", "Ben",
    "Owen", "Aaron", "Bailey", "Cameron", "Declan", "Aiden", "Brandon", "Corey", "Jordan",
    "Lucas", "Noah", "Toby", "Kieran", "Nathan", "Jamie", "Bradley", "Oscar", "Frankie",
)  # fmt: skip
GIRLS = (
    "Olivia", "Amelia", "Lily", "Emily", "Sophie", "Isabella", "Grace", "Ruby", "Jessica",
    "Ava", "Chloe", "Ella", "Mia", "Evie", "Isla", "Holly", "Lucy", "Megan", "Ellie", "Leah",
    "Caitlin", "Courtney", "Paige", "Jade", "Amber", "Keira", "Macy", "Niamh", "Shannon",
    "Summer", "Tia", "Skye", "Kayla", "Lacey", "Madison", "Millie", "Molly", "Poppy",
    "Phoebe", "Erin", "Abbie", "Brooke", "Demi", "Hollie", "Kelsey", "Libby", "Scarlett",
    "Aimee", "Freya", "Maisie", "Layla", "Aaliyah", "Sienna", "Harper",
)  # fmt: skip
SURNAMES = (
    "Jones", "Smith", "Williams", "Davies", "Roberts", "Hughes", "Evans", "Thomas", "Murphy",
    "Kelly", "Doyle", "Byrne", "Ryan", "O'Brien", "McCarthy", "Walsh", "Lynch", "Gallagher",
    "Brennan", "Quinn", "Johnson", "Taylor", "Brown", "Wilson", "Wright", "Walker", "Green",
    "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Parry",
    "Owens", "Griffiths", "Edwards", "Lewis", "Morris", "Rogers", "Cooke", "Molloy",
    "Fitzgerald", "McGuinness", "Rimmer", "Ashton", "Kenny", "Dunn", "Carroll", "Mercer",
    "Hesketh", "Kavanagh", "Sullivan", "Pritchard", "Banks", "Hanson", "Whitehead", "Ellis",
    "Khan", "Ali", "Okafor", "Mensah", "Nguyen", "Chen", "Kowalski", "Nowak", "Mohamed",
    "Bennett", "Lloyd", "Fletcher", "Gill", "Duffy", "Cunningham", "Nolan", "Power",
)  # fmt: skip
ADULT_FIRST = (
    "Sarah", "Claire", "Joanne", "Lisa", "Michelle", "Karen", "Helen", "Rachel", "Gemma",
    "Nicola", "Laura", "Kate", "Amanda", "Donna", "Paula", "Janet", "Mark", "Paul", "David",
    "Steven", "Andrew", "Gary", "Chris", "Neil", "Tony", "Kevin", "Martin", "Sean", "Ian",
    "Dave", "Lee", "Darren", "Jason", "Carl", "Simon", "Rob", "Emma", "Becky", "Jo", "Sam",
)  # fmt: skip

# SSDA903 ethnicity codes with rough shares for looked-after children in Merseyside.
ETHNICITIES = (
    ("WBRI", 0.78), ("WIRI", 0.02), ("WOTH", 0.03), ("MWBC", 0.04), ("MWBA", 0.01),
    ("MWAS", 0.01), ("MOTH", 0.03), ("AOTH", 0.01), ("APKN", 0.005), ("BAFR", 0.02),
    ("BCRB", 0.01), ("BOTH", 0.01), ("CHNE", 0.005), ("OOTH", 0.01), ("REFU", 0.005),
    ("NOBT", 0.005),
)  # fmt: skip
LEGAL_STATUSES = (("C2", 0.78), ("V2", 0.12), ("E1", 0.06), ("J2", 0.04))

# Ages on entering a children's home skew to the mid-teens.
ENTRY_AGES = (10, 11, 12, 13, 14, 15, 16, 17)
ENTRY_AGE_WEIGHTS = (0.04, 0.06, 0.10, 0.17, 0.22, 0.21, 0.15, 0.05)

PLACES = {
    "Liverpool": (
        "Liverpool ONE", "Williamson Square", "Lime Street station", "Sefton Park",
        "Stanley Park", "Queen Square bus station", "Walton Vale shops", "Speke retail park",
    ),
    "Knowsley": (
        "Kirkby town centre", "Huyton village", "Prescot shopping centre", "Knowsley Park",
        "Halewood leisure centre",
    ),
    "Sefton": (
        "Southport Pier", "Lord Street, Southport", "Bootle Strand", "Crosby beach",
        "Formby station", "Netherton Activity Centre",
    ),
    "St Helens": (
        "St Helens town centre", "Church Square", "Sherdley Park", "St Helens Central station",
        "Thatto Heath park",
    ),
    "Wirral": (
        "Birkenhead bus station", "New Brighton promenade", "Liscard village", "Hamilton Square",
        "Moreton Cross", "Birkenhead Park",
    ),
}  # fmt: skip
OUT_OF_AREA_PLACES = (
    "Manchester city centre", "Preston", "Blackpool", "Warrington", "Chester", "Wigan",
    "Runcorn", "Bolton", "London Euston",
)  # fmt: skip

FOUND_LOCATIONS = (
    ("friend's address", 0.26), ("city or town centre", 0.16), ("family home", 0.17),
    ("boyfriend or girlfriend's address", 0.08), ("a park", 0.07), ("out of area", 0.09),
    ("railway or bus station", 0.05), ("returned to the home", 0.12),
)  # fmt: skip
FOUND_WITH = (
    ("alone", 0.34), ("friends", 0.27), ("family member", 0.12), ("older associates", 0.08),
    ("another looked-after child", 0.09), ("boyfriend or girlfriend", 0.07),
    ("unknown adult", 0.03),
)  # fmt: skip
RETURN_METHODS = (
    ("self", 0.55), ("found_by_police", 0.2), ("found_by_carer", 0.18), ("other", 0.07),
)  # fmt: skip
CIRCUMSTANCES = (
    "Left after an argument with staff about phone use",
    "Did not return from school",
    "Went out to see friends and did not come back by curfew",
    "Left through a window after bedtime",
    "Refused to come in at agreed time; last contact by phone",
    "Left after a family contact was cancelled",
    "Went to the shop and did not return",
    "Seen getting into a car outside the home",
)
LAST_SEEN_AT = (
    "At the home", "Outside the home", "At school", "At the local shops", "At the bus stop",
    "At a friend's house", "In the town centre", "At the park nearby",
)  # fmt: skip
CLOTHING_TOPS = (
    "black North Face jacket", "grey hoodie", "navy puffer coat", "black tracksuit top",
    "white T-shirt", "red Nike hoodie", "green parka", "pink hoodie",
)  # fmt: skip
CLOTHING_BOTTOMS = (
    "black joggers", "grey joggers", "blue jeans", "black leggings", "black tracksuit bottoms",
)  # fmt: skip
SHOES = ("white trainers", "black trainers", "black Air Max", "sliders")

PUSH_FACTORS = tuple(code for code, _words in interview_codes.PUSH_FACTORS)
PULL_FACTORS = tuple(code for code, _words in interview_codes.PULL_FACTORS)
EXPLOITATION_INDICATORS = tuple(code for code, _words in interview_codes.EXPLOITATION_INDICATORS)

HAIR = (
    "short brown", "long brown", "blonde shoulder-length", "dark curly", "ginger",
    "black braided", "shaved", "long dyed red",
)  # fmt: skip
BUILD = ("slim", "medium", "stocky", "tall and slim", "small")
EYES = ("blue", "brown", "green", "hazel")
MARKS = (
    "", "", "", "; scar above left eyebrow", "; pierced nose", "; tattoo on right wrist",
    "; wears glasses", "; freckles",
)  # fmt: skip
MEDICAL = (
    ("None known", 0.55), ("Asthma: carries a blue inhaler", 0.12),
    ("ADHD: methylphenidate each morning", 0.12), ("Type 1 diabetes: insulin pen", 0.03),
    ("Epilepsy: lamotrigine twice daily", 0.03), ("Anxiety; sertraline daily", 0.07),
    ("Nut allergy: EpiPen", 0.03), ("Autism: may not answer to name", 0.05),
)  # fmt: skip
SOCIAL = ("Snapchat", "TikTok", "Instagram")

ACTIONS = (
    "Update Philomena profiles for all residents",
    "Recent photographs on file for every child",
    "Share the missing-from-care policy with new staff",
    "Search home and usual places before calling police",
    "Record police reference numbers in the daily log",
    "Tell the placing authority within 24 hours of each episode",
    "Refer repeat child to the monthly missing group",
    "Arrange RHI for returns still outstanding",
    "Strategy meeting request for child crossing the repeat threshold",
    "Agree curfew plan with child and social worker",
    "Night staff briefing on reporting each night of an absence",
    "Review CSE screening tool for flagged child",
)
ACTION_OWNERS = ("Registered manager", "Deputy manager", "Social worker", "RHI provider")
MEETING_NOTES = (
    "Reviewed the month's episodes and the repeat children.",
    "Reporting practice discussed; profiles checked against the Philomena standard.",
    "Return interviews outstanding chased with the provider.",
    "Good month: fewer calls; staff searching before reporting.",
    "Concerns about older associates collecting residents by car.",
)
