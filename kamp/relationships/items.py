"""The default relationship quality survey: 1–7 Likert items (strongly disagree → strongly
agree), written for both sides. ``{partner}`` is the other company: the customer's name when our
team answers, our company's name when the customer's contacts answer, so both sides answer the
same statement about each other and the answers can be compared.

Each item: key, construct, facet (trust: goodwill/competence; conflict: frequency/intensity/
tension), reversed, English and Spanish wording."""

from __future__ import annotations

DEFAULT_TEMPLATE_KEY = "rq-2026"

DEFAULT_ITEMS = [
    # Trust — goodwill
    (
        "trust_1",
        "trust",
        "goodwill",
        False,
        "{partner} cares about our interests, not only its own.",
        "{partner} se preocupa por nuestros intereses, no solo por los suyos.",
    ),
    (
        "trust_2",
        "trust",
        "goodwill",
        False,
        "{partner} keeps the promises it makes to us.",
        "{partner} cumple las promesas que nos hace.",
    ),
    # Trust — competence
    (
        "trust_3",
        "trust",
        "competence",
        False,
        "{partner} has the knowledge and skills to do what we need.",
        "{partner} tiene el conocimiento y las capacidades para hacer lo que necesitamos.",
    ),
    (
        "trust_4",
        "trust",
        "competence",
        True,
        "We doubt that {partner} can deliver what it commits to.",
        "Dudamos de que {partner} pueda cumplir lo que se compromete a hacer.",
    ),
    # Commitment
    (
        "commitment_1",
        "commitment",
        "",
        False,
        "We want our relationship with {partner} to last for many years.",
        "Queremos que nuestra relación con {partner} dure muchos años.",
    ),
    (
        "commitment_2",
        "commitment",
        "",
        False,
        "We are willing to invest time and resources to strengthen the relationship with {partner}.",
        "Estamos dispuestos a invertir tiempo y recursos para fortalecer la relación con {partner}.",
    ),
    (
        "commitment_3",
        "commitment",
        "",
        True,
        "We would end the relationship with {partner} if a slightly better offer came along.",
        "Terminaríamos la relación con {partner} si apareciera una oferta apenas mejor.",
    ),
    # Satisfaction
    (
        "satisfaction_1",
        "satisfaction",
        "",
        False,
        "Overall, we are satisfied with our relationship with {partner}.",
        "En general, estamos satisfechos con nuestra relación con {partner}.",
    ),
    (
        "satisfaction_2",
        "satisfaction",
        "",
        False,
        "Working with {partner} meets our expectations.",
        "Trabajar con {partner} cumple nuestras expectativas.",
    ),
    (
        "satisfaction_3",
        "satisfaction",
        "",
        True,
        "We are often disappointed by the way {partner} works with us.",
        "A menudo nos decepciona la forma en que {partner} trabaja con nosotros.",
    ),
    # Conflict (higher = more conflict)
    (
        "conflict_1",
        "conflict",
        "frequency",
        False,
        "We often disagree with {partner}.",
        "Con frecuencia tenemos desacuerdos con {partner}.",
    ),
    (
        "conflict_2",
        "conflict",
        "intensity",
        False,
        "When we disagree with {partner}, the disagreements are serious.",
        "Cuando tenemos desacuerdos con {partner}, son serios.",
    ),
    (
        "conflict_3",
        "conflict",
        "tension",
        False,
        "There is tension in our dealings with {partner}.",
        "Hay tensión en nuestro trato con {partner}.",
    ),
    (
        "conflict_4",
        "conflict",
        "intensity",
        True,
        "Disagreements with {partner} are settled calmly and quickly.",
        "Los desacuerdos con {partner} se resuelven con calma y rapidez.",
    ),
    # Enabler: shared values and goal congruence
    (
        "values_1",
        "shared_values",
        "",
        False,
        "{partner} and we share similar values about how business should be done.",
        "{partner} y nosotros compartimos valores similares sobre cómo hacer negocios.",
    ),
    (
        "values_2",
        "shared_values",
        "",
        False,
        "Our goals and those of {partner} point in the same direction.",
        "Nuestros objetivos y los de {partner} apuntan en la misma dirección.",
    ),
    # Enabler: information sharing and effective communication
    (
        "information_1",
        "information_sharing",
        "",
        False,
        "{partner} shares information with us that helps us plan.",
        "{partner} comparte con nosotros información que nos ayuda a planificar.",
    ),
    (
        "information_2",
        "information_sharing",
        "",
        False,
        "Communication with {partner} is timely and clear.",
        "La comunicación con {partner} es oportuna y clara.",
    ),
    (
        "information_3",
        "information_sharing",
        "",
        True,
        "{partner} keeps important information from us.",
        "{partner} nos oculta información importante.",
    ),
    # Enabler: cooperation and reciprocity
    (
        "cooperation_1",
        "cooperation",
        "",
        False,
        "{partner} and we work together to solve problems.",
        "{partner} y nosotros trabajamos juntos para resolver problemas.",
    ),
    (
        "cooperation_2",
        "cooperation",
        "",
        False,
        "When we make an effort for {partner}, it does the same for us.",
        "Cuando hacemos un esfuerzo por {partner}, nos corresponde de la misma manera.",
    ),
    # Enabler: interpersonal relations and social closeness
    (
        "closeness_1",
        "closeness",
        "",
        False,
        "People on both sides know each other well.",
        "Las personas de ambos lados se conocen bien.",
    ),
    (
        "closeness_2",
        "closeness",
        "",
        False,
        "We can call our counterparts at {partner} directly whenever we need to.",
        "Podemos llamar directamente a nuestras contrapartes en {partner} cuando lo necesitamos.",
    ),
]
