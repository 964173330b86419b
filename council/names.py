"""Names of the synthetic council's people: family names and given names by heritage and birth
era, and the everyday variants (Bill for William, Jon for John) departments record instead."""

from __future__ import annotations

from dataclasses import dataclass

from council.picker import Picker, ranked, zipf_weights


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BRITISH_FAMILY = _words("""
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood Turner Martin
Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips
Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey
Collins Bell Shaw Murphy Miller Cox Richards Marshall Anderson Simpson Ellis Adams Wilkinson
Foster Chapman Powell Webb Rogers Gray Mason Hunt Campbell Matthews Owen Palmer Holmes Mills
Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham
Pearson Fletcher Walsh Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford
Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Dawson Ball Burton O'Brien Watts
Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett
Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland
Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Dean Lane
Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long
Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins
O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler
Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard
Gilbert Willis Higgins Read Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt
Barber Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake Lynch Goodwin
Barton Woodward Thomson Cunningham Quinn Barnett Baxter Clayton Nash Greenwood Jennings Holt
Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks
French Stanley Jarvis Gibbs Ferguson Hayward Carroll Farmer Dennis Hope Thornton Smith-Jones
""")

BRITISH_GIVEN: dict[tuple[int, str], tuple[str, ...]] = {
    (1900, "M"): _words("""John William George Kenneth Peter Ronald Dennis Roy Leslie Arthur
        Frank Albert Harold Stanley Alan Brian Donald Raymond Frederick Eric Thomas James Robert
        Charles Edward Norman Walter Ernest Derek Cyril Alfred Henry"""),
    (1900, "F"): _words("""Margaret Joan Dorothy Mary Jean Doris Joyce Irene Patricia Betty
        Audrey Eileen Barbara Sheila Elizabeth Kathleen Edna Hilda Marjorie Vera Gladys Evelyn
        Phyllis Winifred Elsie Ivy Sylvia Brenda Pamela Maureen Josephine"""),
    (1946, "M"): _words("""David John Michael Peter Paul Robert Stephen Christopher Richard Alan
        Andrew Anthony Ian Mark Brian Keith Trevor Graham Colin Philip Martin Kevin Gary Steven
        Nigel Terence Malcolm William James Barry Kenneth"""),
    (1946, "F"): _words("""Susan Linda Christine Margaret Janet Patricia Carol Elizabeth Mary Anne
        Jacqueline Julie Karen Deborah Sandra Gillian Diane Lesley Pauline Jennifer Helen Alison
        Wendy Angela Lynn Jane Carole Kathleen Denise Tracey Pamela"""),
    (1970, "M"): _words("""David Paul Mark Andrew Richard Daniel Christopher James Matthew Michael
        Stephen Lee Darren Craig Jason Simon Wayne Dean Gareth Neil Stuart Jonathan Robert Thomas
        Steven Carl Scott Adam Benjamin Jamie William John"""),
    (1970, "F"): _words("""Sarah Claire Emma Nicola Lisa Michelle Rebecca Helen Kelly Joanne
        Rachel Louise Samantha Laura Amanda Victoria Katherine Stacey Gemma Donna Tracey Jennifer
        Elizabeth Hannah Kirsty Natalie Zoe Lindsey Catherine Alexandra"""),
    (1990, "M"): _words("""Thomas James Jack Daniel Joshua Matthew Samuel Joseph Ryan Luke William
        Oliver Benjamin Harry Lewis Callum Connor Jordan Liam Kieran Alexander Charlie George Jake
        Adam Nathan Aaron Dylan Ethan Alfie Jonathan"""),
    (1990, "F"): _words("""Jessica Emily Sophie Chloe Lauren Hannah Rebecca Charlotte Amy Megan
        Olivia Ellie Emma Lucy Georgia Katie Bethany Holly Abigail Grace Amelia Shannon Jade
        Danielle Leah Courtney Eleanor Molly Niamh Paige Victoria"""),
    (2010, "M"): _words("""Oliver Harry George Noah Jack Jacob Leo Oscar Charlie Freddie Alfie
        Arthur Theo Thomas Henry Archie William Joshua James Isaac Teddy Finley Alexander Lucas
        Ethan Max Reggie Albie Tommy Alfred Frederick"""),
    (2010, "F"): _words("""Olivia Amelia Isla Ava Mia Ivy Lily Isabella Sophia Grace Freya
        Florence Willow Rosie Evie Poppy Ella Charlotte Emily Sienna Daisy Isabelle Millie Phoebe
        Evelyn Harper Matilda Elsie Ruby Esme Elizabeth"""),
}


@dataclass(frozen=True)
class Heritage:
    """One naming tradition: its family names and its given names by sex."""

    name: str
    family: Picker[str]
    male: Picker[str]
    female: Picker[str]


def _heritage(name: str, family: str, male: str, female: str) -> Heritage:
    return Heritage(name, ranked(_words(family)), ranked(_words(male)), ranked(_words(female)))


HERITAGES: tuple[tuple[Heritage, float], ...] = (
    (Heritage("british", ranked(BRITISH_FAMILY, 0.75), ranked(("",)), ranked(("",))), 0.70),
    (_heritage(
        "south_asian",
        """Khan Ali Hussain Ahmed Patel Singh Shah Akhtar Iqbal Mahmood Rahman Islam Miah Uddin
        Choudhury Sharma Kumar Chauhan Mistry Parmar Rana Sandhu Gill Bains Dhillon Malik Qureshi
        Butt Rashid Aziz Siddiqui Chaudhry Javed Anwar Raza Sheikh Bhatti Begum Kaur Bibi""",
        """Mohammed Muhammad Ali Ahmed Ibrahim Yusuf Hamza Omar Bilal Imran Asif Tariq Zain Ayaan
        Arjun Rohan Amir Hassan Usman Harjit Rajesh Sanjay Vikram Aryan Ravi Adil Faisal Kamran
        Shahid Nadeem Zakariya Musa Ismail Abdul Rayyan Mohammad""",
        """Aisha Fatima Maryam Zainab Amina Hafsa Sana Ayesha Noor Zara Priya Anika Nisha Simran
        Harpreet Gurpreet Jaspreet Shabana Nasreen Parveen Rubina Samina Shazia Yasmin Safiya
        Inaaya Khadija Mariam Anaya Riya Sunita Kiran Asha Naila Sadia""",
    ), 0.14),
    (_heritage(
        "african_caribbean",
        """Campbell Williams Brown Johnson Thomas Clarke Francis Henry Grant Lewis Okafor Adeyemi
        Mensah Osei Boateng Asante Okoro Eze Adebayo Nwosu Owusu Ogunleye Mohamed Abdi Hassan
        Farah Warsame Osman Robinson Edwards Bailey Morgan""",
        """Kwame Kofi Tunde Chidi Emeka Femi Daniel Samuel David Joshua Jerome Marcus Tyrone Andre
        Jermaine Delroy Winston Abdi Mohamed Ahmed Elijah Isaac Caleb Nathaniel Kayden Malachi
        Michael Emmanuel""",
        """Grace Blessing Precious Chioma Ngozi Abena Ama Adwoa Folake Funmilayo Hodan Amal Fadumo
        Hibo Shanice Tanisha Chantelle Marcia Beverley Jasmine Kemi Esther Ruth Faith Destiny Nia
        Sandra Patience""",
    ), 0.05),
    (_heritage(
        "east_european",
        """Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Dabrowski
        Kozlowski Mazur Krawczyk Popescu Ionescu Popa Stan Dumitru Kazlauskas Petrauskas
        Jankauskas Ozols Berzins Horvath Novak Dvorak Ivanov Petrov Kovacs""",
        """Jakub Kacper Szymon Piotr Tomasz Pawel Krzysztof Marcin Michal Andrei Ionut Alexandru
        Mihai Lukas Mantas Tomas Janis Adam Filip Dawid Mateusz Oskar""",
        """Zuzanna Julia Maja Zofia Anna Katarzyna Agnieszka Magdalena Joanna Monika Ioana Elena
        Andreea Maria Gabriela Ieva Laura Agne Natalia Oliwia Amelia Lena""",
    ), 0.05),
    (_heritage(
        "east_asian",
        """Chen Wang Li Zhang Liu Wong Lam Cheung Chan Ng Nguyen Tran Pham Le Huang Zhao""",
        """Wei Jun Hao Ming Kai Minh Duc Jian Tuan Long Kevin Daniel""",
        """Mei Xin Ling Yan Hui Lan Linh Thao Jing Hoa Michelle Grace""",
    ), 0.025),
    (_heritage(
        "middle_eastern",
        """Haddad Nasser Mansour Khalil Saleh Darwish Yilmaz Kaya Demir Celik Sahin Aydin
        Rahimi Karimi Hosseini Ahmadi""",
        """Yusuf Omar Karim Ahmet Mehmet Emre Ali Hassan Reza Amir Mustafa Kerem""",
        """Layla Leila Noor Elif Zeynep Maryam Sara Yasmin Fatemeh Ayla Defne Rania""",
    ), 0.02),
    (_heritage(
        "southern_european",
        """Silva Santos Ferreira Costa Rossi Russo Ferrari Esposito Garcia Rodriguez Martinez
        Lopez Fernandes Pereira Romano Ricci""",
        """Joao Pedro Luca Marco Leo Tiago Diego Javier Matteo Alessandro Rui Carlos""",
        """Ana Beatriz Sofia Giulia Sara Maria Lucia Chiara Ines Carmen Francesca Marta""",
    ), 0.015),
)

HERITAGE_PICKER: Picker[int] = Picker(
    list(range(len(HERITAGES))), [weight for _, weight in HERITAGES], bits=10
)
_BRITISH_ERAS = (2010, 1990, 1970, 1946, 1900)
BRITISH_GIVEN_PICKERS: dict[tuple[int, str], Picker[str]] = {
    key: ranked(names, 0.8) for key, names in BRITISH_GIVEN.items()
}


def given_picker(heritage: int, sex: str, birth_year: int) -> Picker[str]:
    """Given names of a heritage for a sex (U draws from either) and a birth year."""
    h = HERITAGES[heritage][0]
    sex = "F" if sex == "F" else "M"
    if h.name == "british":
        era = next(e for e in _BRITISH_ERAS if birth_year >= e)
        return BRITISH_GIVEN_PICKERS[(era, sex)]
    return h.female if sex == "F" else h.male


# The names a department often records instead of the registered one.
VARIANTS: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"), "John": ("Jon", "Johnny", "Jack"),
    "Robert": ("Bob", "Rob", "Bobby"), "Richard": ("Rich", "Dick", "Rick"),
    "James": ("Jim", "Jimmy", "Jamie"), "Michael": ("Mike", "Mick"),
    "Thomas": ("Tom", "Tommy"), "Christopher": ("Chris",), "Anthony": ("Tony",),
    "Edward": ("Ted", "Eddie", "Ed"), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Joseph": ("Joe", "Joey"), "Samuel": ("Sam", "Sammy"), "Alexander": ("Alex", "Sandy"),
    "Benjamin": ("Ben", "Benji"), "Jonathan": ("Jon", "Jonny"), "Stephen": ("Steve", "Steven"),
    "Steven": ("Steve", "Stephen"), "Andrew": ("Andy", "Drew"), "David": ("Dave", "Davey"),
    "Peter": ("Pete",), "Kenneth": ("Ken", "Kenny"), "Ronald": ("Ron", "Ronnie"),
    "Frederick": ("Fred", "Freddie"), "Albert": ("Bert", "Albie"), "Harold": ("Harry",),
    "Henry": ("Harry", "Hal"), "Charles": ("Charlie", "Chas"), "Philip": ("Phil", "Phillip"),
    "Terence": ("Terry",), "Leslie": ("Les",), "Alfred": ("Alf", "Alfie"),
    "Oliver": ("Ollie",), "Joshua": ("Josh",), "Jacob": ("Jake",), "Lewis": ("Louis",),
    "Callum": ("Calum",), "Mohammed": ("Muhammad", "Mohammad", "Mohamed"),
    "Muhammad": ("Mohammed", "Mohammad"), "Mohammad": ("Mohammed", "Muhammad"),
    "Mohamed": ("Mohammed", "Mohamud"), "Elizabeth": ("Liz", "Beth", "Betty", "Elisabeth"),
    "Margaret": ("Maggie", "Peggy", "Margret"), "Katherine": ("Kate", "Kathy", "Catherine"),
    "Catherine": ("Cathy", "Kate", "Katherine"), "Jennifer": ("Jenny", "Jen"),
    "Susan": ("Sue", "Susie"), "Patricia": ("Pat", "Trish"), "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"), "Samantha": ("Sam", "Sammie"), "Jacqueline": ("Jackie",),
    "Deborah": ("Debbie", "Debra"), "Christine": ("Chris", "Christina"),
    "Alexandra": ("Alex", "Lexi"), "Charlotte": ("Lottie", "Charlie"),
    "Abigail": ("Abbie", "Abby"), "Eleanor": ("Ellie", "Nell"), "Amelia": ("Millie",),
    "Isabella": ("Bella", "Izzy"), "Isabelle": ("Izzy", "Isobel"), "Dorothy": ("Dot", "Dolly"),
    "Pamela": ("Pam",), "Josephine": ("Jo", "Josie"), "Joanne": ("Jo", "Joanna"),
    "Nicola": ("Nicky", "Nikki"), "Gillian": ("Gill", "Jill"), "Sarah": ("Sara",),
    "Claire": ("Clare",), "Louise": ("Lou",), "Hannah": ("Hanna",), "Sophie": ("Sophia",),
    "Olivia": ("Liv",), "Aisha": ("Ayesha",), "Fatima": ("Fatimah",), "Maryam": ("Mariam",),
    "Zainab": ("Zaynab",), "Kathleen": ("Kath", "Kathy"), "Patience": ("Patty",),
    "Jakub": ("Jacob",), "Piotr": ("Peter",), "Katarzyna": ("Kasia",), "Agnieszka": ("Aga",),
    "Ioana": ("Joanna",), "Tomasz": ("Tom",),
}


# The long tail: family names that only a few households share. Real registers hold tens of
# thousands of surnames, most of them rare; the lists above are the common heads. Composed from
# English place-name parts (Ash+worth, Black+burn), each weighted by a Zipf rank, so that a
# borough of a million has thousands of family names, most held by a handful of households.
_RARE_HEADS = _words("""
Ash Black Brad Brook Craw Hol Whit Wood Thorn Stan Ald Bur Cal Dar Fair Gold Hart Kirk Lang Mar
Mid Nor Pen Red Shel Stock Wend Win Acker Bel Birk Brig Chad Cliff Cot Dun Elm Fern Gar Hal Hat
Hep Ing Kel Lyn Mel Oak Ock Pick Ray Rid Sal Sher Sut Tad Thurl Ul Wal War Wes Wick Yard
""")
_RARE_TAILS = _words("""
ley ton ford field worth wood by ham well more ridge stead wick combe shaw bury den hurst croft
dale thorpe cott hill stone
""")
RARE_FAMILY: Picker[str] = Picker(
    [head + tail for head in _RARE_HEADS for tail in _RARE_TAILS],
    zipf_weights(len(_RARE_HEADS) * len(_RARE_TAILS), exponent=0.6, offset=10.0), bits=14)
