"""Background sentences: the yardstick that normalizes encoder similarities.

e5 cosines are compressed (unrelated sentences still score ~0.75) and some
sentences (short, generic, numeric) are close to everything. A sentence's
*bias* is its mean cosine to these unrelated sentences; the detector compares
`cos(x, y) - (bias(x) + bias(y)) / 2` instead of the raw cosine, which works
for a single pair as well as inside a document. The sentences are written for
Lacuna, on everyday topics, in several languages and scripts.
"""

BACKGROUND_SENTENCES = (
    "The bakery on the corner opens at six and sells out of rye bread by noon.",
    "Please remember to water the tomatoes while I am away next week.",
    "The committee postponed its vote until the budget figures are checked.",
    "A heavy storm closed the mountain road for most of the afternoon.",
    "Children in the village learn to swim in the lake every summer.",
    "The software update fixes a bug that drained the battery overnight.",
    "Der Zug nach Hamburg hat heute wegen Bauarbeiten zwanzig Minuten Verspätung.",
    "Meine Großmutter hat mir beigebracht, wie man Pflaumenkuchen backt.",
    "El museo de la ciudad abrirá una nueva sala dedicada a la cerámica antigua.",
    "Los vecinos organizaron una fiesta para celebrar el final del verano.",
    "Le marché du samedi attire des producteurs de toute la région.",
    "Il a oublié son parapluie dans le bus et il pleuvait toute la journée.",
    "В библиотеке появился новый зал для занятий студентов.",
    "Мы долго искали дорогу к озеру, пока не встретили местного рыбака.",
    "这家小饭馆的面条很有名，每天中午都排着长队。",
    "周末我们打算去郊外骑自行车，顺便看看油菜花。",
    "駅前の本屋は来月から営業時間を一時間延ばすそうです。",
    "雨が続いたので、運動会は来週の土曜日に延期された。",
    "افتتحت البلدية حديقة جديدة بالقرب من المدرسة الابتدائية.",
    "سافرت العائلة إلى الساحل لقضاء عطلة نهاية الأسبوع.",
    "नदी के किनारे एक नया पुस्तकालय बनाया जा रहा है।",
    "Ọjà náà kún fún àwọn ènìyàn tí wọ́n ń ra èso ní òwúrọ̀.",
    "Il concerto all'aperto è stato annullato a causa del vento forte.",
    "A feira de livros deste ano recebeu mais visitantes do que o esperado.",
)
