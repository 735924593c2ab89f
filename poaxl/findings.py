"""Everything poaxl can say about a form, in one place: each finding's code, severity, whose fault it is,
the cell it points to, its Spanish message templates and advice, and its long explanation
(`poaxl explain`). The README table, the JSON schema's ``code`` enum, annotated-copy comments and
e-mail replies are all made from this module; so are the reasons a file is unreadable and the
labels the CLI and the report print. To correct the Spanish, edit it here and nowhere else.

In the spirit of frictionless-py's error classes (code, title, template, description) and pyxform's
``ErrorCode`` (one enum of message templates with named ``{fields}``). A rule reports a finding with
``sink.add(MISSING_ACTUAL, row=…, key=…, goal=…, quarter=…)``; the message is ``problem — advice.``
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Mapping, NamedTuple

from .policy import OVERACHIEVEMENT_RATIO

ERROR, WARNING = "error", "warning"
OFFICE, COORDINATOR = "office", "coordinator"

SEVERITY_LABEL = {ERROR: "error", WARNING: "aviso"}
FAULT_LABEL = {OFFICE: "oficina de planeación", COORDINATOR: "unidad (coordinador)"}
STATUS_LABEL = {"ok": "correcto", "warnings": "con avisos", "errors": "con errores", "unreadable": "ilegible"}
SEND_LABEL = {"sent": "enviado", "partial": "PARCIAL", "skipped": "omitido", "failed": "FALLÓ",
              "dry-run": "escrito (.eml)"}
# a unit's delivery in `poaxl report` (only the coordinator's errors count: see FindingType.fault)
DELIVERY_LABEL = {"delivered": "entregado", "errors": "con errores", "refused": "con errores (rechazado)",
                  "missing": "sin entregar"}


class Message(NamedTuple):
    """One way a finding is phrased: what is wrong, and what to do (both templates with ``{fields}``).
    Message and FindingType are NamedTuples: under Python 3.11 a frozen dataclass costs ~0.9 ms to make
    at import, a NamedTuple 0.1 ms, and every ``poaxl check`` is a new process."""

    problem: str
    advice: str

    def format(self, **fields) -> str:
        return f"{self.problem.format(**fields)} — {self.advice.format(**fields)}."

    @property
    def template(self) -> str:
        """The message with its field names showing (``«{raw}» no es un número — …``), for docs."""
        return f"{self.problem} — {self.advice}."


class FindingType(NamedTuple):
    """One finding code. ``column`` is the layout column key it always points to (None: varies or none).

    ``fault`` says who can fix it: the coordinator (the A cells and OBSERVACIONES of a returned form)
    or the planning office (its catalog, the forms it sends). Office findings are reported to the
    office and never held against a unit's delivery.
    """

    code: str
    severity: str
    fault: str
    title: str          # Spanish, a few words
    summary: str        # English, one line, for the README table
    meaning: str        # Spanish: what it means (poaxl explain)
    why: str            # Spanish: why it matters
    example: str        # Spanish: a real case
    fix: str            # Spanish: how to fix it, for the coordinator or the office
    messages: Mapping[str, Message]  # variant -> phrasing; "" is the usual one
    column: str | None = None

    def message(self, variant: str = "", **fields) -> str:
        """The Spanish message of this finding (without the cell/goal prefix the checker adds)."""
        return self.messages[variant].format(**fields)

    def problem(self, variant: str = "", **fields) -> str:
        """Only the 'what is wrong' half: catalog lint prints it after the unit and goal."""
        return self.messages[variant].problem.format(**fields)

    def as_dict(self) -> dict:
        """For `poaxl explain --format json`."""
        return {"code": self.code, "severity": self.severity, "fault": self.fault, "title": self.title,
                "summary": self.summary, "meaning": self.meaning, "why": self.why, "example": self.example,
                "fix": self.fix,
                "messages": {k: m.template for k, m in self.messages.items()}}


REGISTRY: dict[str, FindingType] = {}


def _define(**kw) -> FindingType:
    kind = FindingType(**kw)
    assert kind.code not in REGISTRY, kind.code
    REGISTRY[kind.code] = kind
    return kind


def get(code: str) -> FindingType:
    return REGISTRY[code]


def of_fault(found: Iterable, fault: str) -> list:
    """The findings (anything with a ``code``) that ``fault`` (COORDINATOR or OFFICE) is the one to fix."""
    return [f for f in found if REGISTRY[f.code].fault == fault]


# =========================================================================== the plan (office)

PLANNED_SUM_MISMATCH = _define(
    code="planned-sum-mismatch", severity=ERROR, fault=OFFICE, column="meta",
    title="lo programado no suma la meta anual",
    summary="the quarterly P do not add up to META ANUAL (sum goals)",
    meaning="Los cuatro valores programados (P) de una meta que se suma no dan la META ANUAL. Es un error del "
            "catálogo de la oficina de planeación, no del coordinador (que no puede cambiar lo programado).",
    why="Con lo programado mal sumado, el avance relativo y lo programado al trimestre no cuadran con la meta "
        "anual: la unidad parece cumplir o incumplir sin hacerlo. Es un error del catálogo, no del formato "
        "que devuelve la unidad.",
    example="002, meta 6: P = 7+7+7+7 = 28 y la META ANUAL es 21.",
    fix="La oficina de planeación corrige el catálogo (P o META ANUAL) y, si ya envió los formatos, los genera "
        "de nuevo. Para una meta de porcentaje que no se suma, ponga aggregation: average o last.",
    messages={"": Message("lo programado ({parts} = {total}) no suma la META ANUAL {meta}",
                          "lo corrige la oficina de planeación en el catálogo; la unidad no debe cambiar nada")},
)

GOAL_NUMBERING = _define(
    code="goal-numbering", severity=WARNING, fault=OFFICE, column="goal",
    title="numeración de metas",
    summary="goal numbers duplicated or out of sequence (0046's `4.5`)",
    meaning="Los números de meta del catálogo están repetidos o fuera de secuencia (un objetivo «2» seguido de "
            "sus acciones «2.1», «2.2», …). Suele ser una meta copiada de otra unidad.",
    why="Una meta mal numerada se confunde con la de otra unidad u objetivo en el consolidado y en el "
        "seguimiento de un trimestre a otro.",
    example="0046: su última meta está numerada 4.5 dentro del objetivo 1 (copiada de la unidad 004).",
    fix="La oficina de planeación corrige el número de la meta en el catálogo y vuelve a generar el formato.",
    messages={"repeated": Message("el número de meta {number} está repetido",
                                  "lo corrige la oficina de planeación en el catálogo"),
              "sequence": Message("numeración fuera de secuencia: {number} (se esperaba {expected})",
                                  "lo corrige la oficina de planeación en el catálogo")},
)

UNKNOWN_LINEA = _define(
    code="unknown-linea", severity=WARNING, fault=OFFICE, column="la",
    title="L/A desconocida",
    summary="a goal's L/A is not among the unit's líneas de acción",
    meaning="La línea de acción (L/A) de una meta no está entre las LÍNEAS DE ACCIÓN del encabezado de la "
            "unidad.",
    why="Sin la línea de acción correcta la meta no se puede ligar al Plan Municipal de Desarrollo ni sumarse "
        "a su eje.",
    example="Una meta con L/A 8.1.9 en una unidad cuyas líneas son 8.1.1 y 8.1.3.",
    fix="La oficina de planeación corrige la L/A de la meta o agrega la línea a la unidad en el catálogo.",
    messages={"": Message("la L/A {la} no está entre las líneas de acción de la unidad",
                          "lo corrige la oficina de planeación en el catálogo")},
)

CATALOG_CHANGED = _define(
    code="catalog-changed", severity=WARNING, fault=OFFICE,
    title="el catálogo cambió",
    summary="the form was generated from an older version of the catalog: regenerate it",
    meaning="El formato se generó con una versión anterior del catálogo (su huella no coincide con la del "
            "catálogo actual): la oficina corrigió lo programado o los textos después de enviarlo. No es un "
            "error del coordinador; el formato se revisó con lo programado que trae.",
    why="Un formato con lo programado anterior no se puede comparar con el catálogo actual: lo que parecería "
        "una modificación es un cambio de la oficina. La unidad debe informar sobre lo programado vigente.",
    example="La oficina cambió la META ANUAL de la meta 3.2 de 60 a 61 después de enviar el formato de 003.",
    fix="La oficina genera de nuevo el formato con el catálogo actual (poaxl generate, con --from para "
        "conservar los avances) y lo envía a la unidad.",
    messages={"": Message("el formato se generó con una versión anterior del catálogo{changes}",
                          "genere de nuevo el formato con el catálogo actual y envíelo a la unidad; se revisó "
                          "con lo programado que trae el formato"),
              "edited-too": Message("el formato se generó con una versión anterior del catálogo{changes}, y "
                                    "además lo programado o los textos del formato ya no son los que se enviaron",
                                    "genere de nuevo el formato con el catálogo actual y envíelo a la unidad; se "
                                    "revisó con lo programado que trae el formato")},
)

UNKNOWN_UNIT = _define(
    code="unknown-unit", severity=ERROR, fault=OFFICE,
    title="unidad desconocida",
    summary="the file's unit is not in the catalog",
    meaning="El formato dice ser de una unidad que no está en el catálogo con que se revisa (por sus metadatos o, "
            "en un formato hecho a mano, por el encabezado), o su encabezado no dice de cuál: no se puede comparar "
            "con lo programado ni consolidar (poaxl report lo lista entre los rechazados).",
    why="Sin la unidad en el catálogo no hay programa contra el cual revisar el avance.",
    example="Un formato de la unidad 007 revisado con el catálogo del Ramo 01, que no la tiene.",
    fix="Revise con --catalog el catálogo correcto, o agregue la unidad al catálogo.",
    messages={"": Message("la unidad {unit} no está en el catálogo {catalog}",
                          "revise el catálogo o el archivo"),
              # a form without poaxl's metadata (hand-made, or its sheets copied into another workbook)
              "header": Message("el encabezado dice la unidad {unit}, que no está en el catálogo {catalog}; el "
                                "formato no se puede consolidar",
                                "corrija el código de la unidad en el encabezado, o revise con el catálogo correcto "
                                "(--catalog)"),
              "header-ambiguous": Message("el encabezado dice la unidad {unit}, que está en varios ramos del "
                                          "catálogo {catalog} ({keys}), y no dice el ramo; el formato no se puede "
                                          "consolidar",
                                          "escriba el ramo en el encabezado o revise con --ramo"),
              "header-ramo": Message("el encabezado dice el ramo {ramo} y la unidad {code}, que en el catálogo "
                                     "{catalog} es del ramo {found}; el formato no se puede consolidar",
                                     "corrija el ramo en el encabezado, o revise con el catálogo correcto "
                                     "(--catalog)"),
              "no-header-unit": Message("el encabezado no dice de qué unidad es el formato (no se encontró la "
                                        "UNIDAD EJECUTORA o RESPONSABLE); no se puede consolidar",
                                        "escriba el código de la unidad en el encabezado, o revise con --unit")},
)

NO_METADATA = _define(
    code="no-metadata", severity=WARNING, fault=OFFICE,
    title="sin metadatos",
    summary="not generated by poaxl: only the internal arithmetic and the header's unit and year were checked",
    meaning="El formato no fue generado por poaxl (no tiene la hoja oculta de metadatos): es un formato hecho a "
            "mano o de otro sistema, o una hoja copiada de otro libro. Solo se revisa su aritmética interna "
            "(avances, totales escritos, observaciones) y que la unidad y el año de su encabezado sean los del "
            "catálogo; lo programado y los textos no se comparan con el catálogo.",
    why="Sin metadatos no se sabe con qué catálogo se hizo el formato: lo programado y los textos no se pueden "
        "verificar, y la unidad y el periodo solo se conocen por lo que dice su encabezado.",
    example="El formato TMM-F004 de una unidad capturado en una hoja de Excel propia de la oficina.",
    fix="Use los formatos que genera poaxl (poaxl generate) para que se revisen contra el catálogo.",
    messages={"": Message("el formato no fue generado por poaxl (sin metadatos): solo se revisó su aritmética "
                          "interna y la unidad y el año de su encabezado; lo programado no se comparó con el "
                          "catálogo",
                          "use el formato generado por poaxl"),
              "typed-totals": Message("el formato no fue generado por poaxl (sin metadatos): solo se revisó su "
                                      "aritmética interna y la unidad y el año de su encabezado; lo programado no se "
                                      "comparó con el catálogo; sus totales (AVANCE ABSOLUTO y ACUMULADO RELATIVO) "
                                      "están escritos a mano y se verificaron contra los avances",
                                      "use el formato generado por poaxl")},
)

# =========================================================================== the coordinator's cells

MISSING_ACTUAL = _define(
    code="missing-actual", severity=ERROR, fault=COORDINATOR,
    title="falta el avance",
    summary="an A cell up to the report quarter is empty",
    meaning="Una celda de avance (A) de un trimestre que ya debe informarse está vacía.",
    why="El avance acumulado, el porcentaje y el consolidado del ramo quedan incompletos.",
    example="003, meta 3.2: la celda A de Abr-Jun vacía en el informe del 2.º trimestre.",
    fix="Capture el avance real del trimestre en la celda amarilla; si no hubo avance, escriba 0.",
    messages={"": Message("falta el avance (A)", "capture el avance real del trimestre (0 si no hubo avance)")},
)

NOT_A_NUMBER = _define(
    code="not-a-number", severity=ERROR, fault=COORDINATOR,
    title="no es un número",
    summary="an A cell holds text that is not a number",
    meaning="Una celda de avance (A) tiene texto que no es una cifra.",
    why="Un texto no se suma: el avance acumulado y el porcentaje quedan mal.",
    example="«diez» o «N/A» en la celda A de Abr-Jun.",
    fix="Escriba solo la cifra (10); las explicaciones van en OBSERVACIONES.",
    messages={"": Message("«{raw}» no es un número", "capture solo la cifra"),
              # a stored number beyond 10^15 or infinite (1e309 in the file): not something anyone typed as «inf»
              "out-of-range": Message("el valor es un número fuera de rango (mayor que 10¹⁵ o infinito)",
                                      "capture la cifra real del avance")},
)

NUMBER_AS_TEXT = _define(
    code="number-as-text", severity=WARNING, fault=COORDINATOR,
    title="número escrito como texto",
    summary="a number typed as text (`1,367`, ` 12 `, `28%`); its value is used",
    meaning="Una cifra se capturó como texto (con separador de miles, espacios o %). Se usa su valor, pero una "
            "hoja de cálculo no la suma: las fórmulas del formato darían otro total.",
    why="Excel y LibreOffice no suman un número escrito como texto: las fórmulas del formato y del "
        "consolidado darían otro total que el que revisó poaxl.",
    example="003, meta 3: «1,367» escrito como texto en Abr-Jun (se toma como 1367).",
    fix="Escriba la cifra sin comas, espacios ni símbolos, como número.",
    messages={"": Message("«{raw}» está escrito como texto; se tomó como {value}", "captúrelo como número")},
)

NEGATIVE_VALUE = _define(
    code="negative-value", severity=ERROR, fault=COORDINATOR,
    title="avance negativo",
    summary="a negative A",
    meaning="Un avance (A) es negativo. El avance físico de un trimestre no puede ser menor que cero.",
    why="Un avance negativo resta lo informado en otros trimestres y falsea el acumulado.",
    example="-1 en la celda A de Abr-Jun.",
    fix="Capture el avance real (0 o más); una corrección de trimestres anteriores se explica en OBSERVACIONES.",
    messages={"": Message("el avance es negativo ({value})", "capture un número mayor o igual a 0")},
)

FUTURE_ENTRY = _define(
    code="future-entry", severity=WARNING, fault=COORDINATOR,
    title="avance en un trimestre futuro",
    summary="an A value in a quarter after the report quarter",
    meaning="Hay un avance capturado en un trimestre posterior al que se informa. No se toma en cuenta.",
    why="El avance de un trimestre futuro no debe estar en el informe; suele indicar que se capturó en la "
        "columna equivocada y falta en la correcta.",
    example="Un 5 en la celda A de Jul-Sep en el informe del 2.º trimestre.",
    fix="Bórrelo; si era el avance del trimestre que se informa, captúrelo en su columna.",
    messages={"": Message("hay un avance ({raw}) en un trimestre posterior al que se informa (T{report_quarter})",
                          "bórrelo")},
)

MISSING_OBSERVATION = _define(
    code="missing-observation", severity=ERROR, fault=COORDINATOR, column="observations",
    title="falta explicar el incumplimiento",
    summary="A to date < P to date and no words in OBSERVACIONES (empty, a formula, a bare number)",
    meaning="El avance acumulado está por debajo de lo programado al trimestre y OBSERVACIONES está vacía (o tiene "
            "una fórmula, como =A1, o solo un número, como 0: no son una explicación escrita por la unidad). Todo "
            "incumplimiento se explica "
            "(la fila se pone roja en el formato).",
    why="La Sindicatura y la oficina de planeación piden justificar cada meta por debajo de lo programado; "
        "sin observación el informe no se puede aprobar.",
    example="004, meta 4.4: avance acumulado 0 de 50 programado, sin observación.",
    fix="Explique en OBSERVACIONES por qué no se alcanzó lo programado.",
    messages={"": Message("avance acumulado {absolute} de {planned} programado y OBSERVACIONES vacía",
                          "explique por qué no se alcanzó la meta"),
              "formula": Message("avance acumulado {absolute} de {planned} programado y OBSERVACIONES tiene una "
                                 "fórmula («{formula}»), no una explicación",
                                 "escriba con sus palabras por qué no se alcanzó la meta"),
              "no-words": Message("avance acumulado {absolute} de {planned} programado y OBSERVACIONES dice solo "
                                  "«{said}», no una explicación",
                                  "escriba con sus palabras por qué no se alcanzó la meta")},
)

UNJUSTIFIED_OVERACHIEVEMENT = _define(
    code="unjustified-overachievement", severity=WARNING, fault=COORDINATOR, column="observations",
    title="falta explicar el sobrecumplimiento",
    summary=f"A to date > {OVERACHIEVEMENT_RATIO * 100:.0f} % of P to date (`--over-ratio`) without words in "
            "OBSERVACIONES",
    meaning=f"El avance acumulado supera con mucho lo programado (más de {OVERACHIEVEMENT_RATIO * 100:.0f} % por "
            "omisión; --over-ratio) y OBSERVACIONES está vacía o tiene una fórmula o solo un número en lugar de "
            "un texto (la fila se pone ámbar en el formato).",
    why="Un avance muy superior a lo programado suele ser un error de captura (una cifra de más) o una meta "
        "mal planeada; en ambos casos hay que explicarlo.",
    example="004, meta 4.1: avance acumulado 26 contra 4 programado (650 %), sin observación.",
    fix="Explique en OBSERVACIONES por qué se superó la programación, o corrija el avance si está mal capturado.",
    messages={"": Message("avance acumulado {absolute} contra {planned} programado ({percent}) y OBSERVACIONES "
                          "vacía", "explique por qué se superó la programación"),
              "formula": Message("avance acumulado {absolute} contra {planned} programado ({percent}) y OBSERVACIONES "
                                 "tiene una fórmula («{formula}»), no una explicación",
                                 "escriba con sus palabras por qué se superó la programación"),
              "no-words": Message("avance acumulado {absolute} contra {planned} programado ({percent}) y OBSERVACIONES "
                                  "dice solo «{said}», no una explicación",
                                  "escriba con sus palabras por qué se superó la programación")},
)

PRINT_TOO_SMALL = _define(
    code="print-too-small", severity=WARNING, fault=COORDINATOR, column="observations",
    title="el formato impreso no se podría leer",
    summary="a one-page form whose typed OBSERVACIONES would shrink its printout below half size",
    meaning="Un formato de una hoja se imprime ajustado a una hoja: si las OBSERVACIONES son tan largas que la "
            "hoja impresa quedaría a menos de la mitad de su tamaño, el formato firmado no se podrá leer.",
    why="El formato se imprime y se firma; impreso a una fracción de su tamaño, sus cifras y textos no se leen.",
    example="004 con una observación de 850 caracteres en cada meta: la hoja impresa quedaría al 18 %.",
    fix="Resuma las OBSERVACIONES (la más larga es la de la fila señalada).",
    messages={"": Message("las OBSERVACIONES ocupan tanto que la hoja impresa quedaría al {scale} de su tamaño",
                          "resúmalas para que el formato impreso se pueda leer")},
)

OBSERVATION_TOO_LONG = _define(
    code="observation-too-long", severity=WARNING, fault=COORDINATOR, column="observations",
    title="la observación no cabe en su fila impresa",
    summary="an OBSERVACIONES text taller than its row can be: Excel (rows of 409 pt at most) prints it cut",
    meaning="Una fila de Excel mide a lo más 409 puntos: lo que una OBSERVACIÓN escribe más abajo no se ve ni se "
            "imprime. (LibreOffice agranda la fila y encoge la hoja impresa; el formato se revisa e imprime en "
            "los dos.) Si el texto de la meta se imprime en letra más pequeña, la fila conserva su alto.",
    why="La explicación firmada debe leerse completa en el formato impreso.",
    example="003, meta 3.3: una observación de 1,500 caracteres en mayúsculas; en su fila caben unos 700.",
    fix="Resuma la OBSERVACIÓN hasta los caracteres que caben.",
    messages={"": Message("la OBSERVACIÓN tiene {chars} caracteres y en su fila impresa caben {fit}",
                          "resúmala a {fit} caracteres o menos para que se imprima completa")},
)

ABSOLUTE_MISMATCH = _define(
    code="absolute-mismatch", severity=ERROR, fault=COORDINATOR, column="absolute",
    title="el avance absoluto escrito no coincide",
    summary="a typed AVANCE ABSOLUTO differs from the accumulated A",
    meaning="AVANCE ABSOLUTO tiene un valor escrito que no es la acumulación de los avances (suma, promedio o "
            "último valor, según la meta).",
    why="El consolidado y el informe usan AVANCE ABSOLUTO: una cifra escrita que no sale de los avances "
        "reporta un resultado que no ocurrió.",
    example="005, meta 5: dice 25 % pero el promedio de los avances da 54.5.",
    fix="Corrija los avances o restaure la fórmula de AVANCE ABSOLUTO.",
    messages={"": Message("AVANCE ABSOLUTO dice {shown} pero {how} de los avances da {expected}",
                          "corrija el avance o restaure la fórmula")},
)

RELATIVE_MISMATCH = _define(
    code="relative-mismatch", severity=ERROR, fault=COORDINATOR, column="relative",
    title="el porcentaje escrito no coincide",
    summary="a typed ACUMULADO RELATIVO differs from absolute / meta",
    meaning="ACUMULADO RELATIVO tiene un valor escrito que no es AVANCE ABSOLUTO entre META ANUAL.",
    why="El porcentaje de avance es lo que se publica y se compara entre unidades: debe salir de las cifras.",
    example="005, meta 5: dice 25 % pero 54.5 de 90 da 61 %.",
    fix="Corrija los avances o restaure la fórmula de ACUMULADO RELATIVO.",
    messages={"": Message("ACUMULADO RELATIVO dice {shown} pero el avance acumulado entre la META ANUAL da "
                          "{expected}", "corrija el avance o restaure la fórmula")},
)

FORMULA_REPLACED = _define(
    code="formula-replaced", severity=WARNING, fault=COORDINATOR,
    title="se sustituyó la fórmula",
    summary="AVANCE ABSOLUTO/ACUMULADO RELATIVO formula replaced or edited",
    meaning="La fórmula de AVANCE ABSOLUTO o ACUMULADO RELATIVO se borró, se escribió encima o se modificó. Si el "
            "valor escrito es correcto solo es un aviso; si no, además hay absolute-mismatch o relative-mismatch.",
    why="Sin la fórmula, el total deja de actualizarse cuando se corrige un avance y puede quedar distinto de "
        "lo capturado.",
    example="005, meta 5: «25%» escrito sobre las dos fórmulas.",
    fix="Restaure la fórmula que indica el mensaje (o use el formato original).",
    messages={"edited": Message("la fórmula de {label} fue modificada ({formula}); debe ser {expected}",
                                "restaure la fórmula"),
              "typed": Message("la fórmula de {label} fue sustituida por un valor escrito",
                               "restaure la fórmula {expected}")},
)

PLANNED_CHANGED = _define(
    code="planned-changed", severity=ERROR, fault=COORDINATOR,
    title="se modificó lo programado",
    summary="META or P differs from the catalog the form was generated from",
    meaning="Un valor programado (META ANUAL o P) ya no es el del catálogo con que se generó el formato: se "
            "modificó en el archivo. Si fue la oficina la que cambió su catálogo, el aviso es catalog-changed, "
            "no este.",
    why="Lo programado lo fija el POA aprobado: la unidad no puede cambiarlo en su informe; el avance se mide "
        "contra lo aprobado.",
    example="003, meta 3.2: P de Abr-Jun cambiado de 30 a 99.",
    fix="No modifique lo programado: restaure el valor del catálogo (o pida el formato de nuevo).",
    messages={"": Message("el valor programado es {shown} y el catálogo dice {expected}",
                          "no modifique lo programado; restaure el valor"),
              "stale": Message("el valor programado es {shown} y el catálogo actual dice {expected}; el formato es "
                               "de una versión anterior del catálogo y además fue modificado",
                               "pida a la oficina de planeación el formato nuevo y capture en él el avance")},
)

STRUCTURE_CHANGED = _define(
    code="structure-changed", severity=ERROR, fault=COORDINATOR,
    title="se modificó la estructura",
    summary="goal rows deleted, inserted, reordered, or catalog texts edited",
    meaning="Se insertaron, borraron o movieron filas de metas, o se editaron textos del catálogo (meta, L/A, "
            "unidad de medida). El formato ya no corresponde a lo programado.",
    why="Cada fila corresponde a una meta del catálogo; con filas movidas o textos cambiados los avances "
        "quedan asignados a otra meta.",
    example="Una fila insertada entre las metas 3.1 y 3.2.",
    fix="Use el formato original y capture solo las celdas amarillas.",
    messages={"no-header": Message("no se encontró la fila de encabezado «L/A» de la tabla de metas",
                                   "use el formato TMM-F004 original sin modificar su estructura"),
              "extra-row": Message("{what} no es una meta del catálogo (fila insertada o editada)",
                                   "elimínela o use el formato original"),
              "edited": Message("{label} fue modificado(a); el catálogo dice «{expected}»",
                                "no edite las celdas del catálogo"),
              "missing-goal": Message("falta la meta {number} (fila eliminada)", "use el formato original completo"),
              "reordered": Message("las metas están en otro orden ({found}; se esperaba {expected})",
                                   "no mueva filas"),
              "margin": Message("la tabla empieza en la columna {column}, no en la A (se insertaron columnas antes "
                                "de ella)", "use el formato original sin insertar columnas"),
              "edited-metadata": Message("la hoja oculta {sheet} fue modificada ({values} no válido); se usó lo que "
                                         "dice el encabezado", "envíe el formato original sin editar esa hoja")},
)

UNIT_MISMATCH = _define(
    code="unit-mismatch", severity=ERROR, fault=COORDINATOR,
    title="unidad equivocada",
    summary="the file is for another unit than expected (`--unit`) or its header disagrees",
    meaning="El archivo es de otra unidad que la esperada (--unit), o el código de unidad de su encabezado no "
            "es el del formato.",
    why="El avance se atribuiría a otra unidad en el consolidado.",
    example="Se esperaba 003 y llegó el formato de 004.",
    fix="Envíe el formato de su propia unidad, sin cambiar el encabezado.",
    messages={"header": Message("el encabezado dice unidad {header} pero el formato es de {unit}",
                                "use el formato original de su unidad"),
              "expected": Message("se esperaba la unidad {expected} y el archivo es de {unit}",
                                  "revise que envió el archivo correcto"),
              "header-ramo": Message("el encabezado dice ramo {header} pero el formato es del ramo {ramo}",
                                     "use el formato original de su unidad")},
)

WRONG_PERIOD = _define(
    code="wrong-period", severity=ERROR, fault=COORDINATOR,
    title="periodo equivocado",
    summary="another quarter (`--quarter`) or another catalog year",
    meaning="El archivo es de otro trimestre que el esperado (--quarter), de otro catálogo o año, o no dice su "
            "trimestre.",
    why="Un formato de otro trimestre u otro año mezcla periodos en el consolidado.",
    example="Se esperaba el 2.º trimestre y llegó el formato del 1.º.",
    fix="Envíe el formato del trimestre que se informa; al revisar, indique --quarter o --catalog.",
    messages={"unknown-quarter": Message("no se pudo saber el trimestre del formato; se revisó como T{report_quarter}",
                                         "indique --quarter"),
              "expected": Message("se esperaba el trimestre T{expected} y el archivo es del T{report_quarter}",
                                  "use el formato del trimestre que se informa"),
              "other-catalog": Message("el formato es del catálogo {file_catalog} ({file_year}) y se revisa con "
                                       "{catalog} ({year})", "use el formato del año en curso o indique --catalog"),
              "header-year": Message("el encabezado dice el año {file_year} y se revisa con el catálogo {catalog} "
                                     "({year})", "use el formato del año en curso o indique --catalog")},
)

# =========================================================================== why a file is unreadable

REASONS: dict[str, Message] = {
    "missing": Message("el archivo no existe", "revise la ruta"),
    "not-a-file": Message("no es un archivo normal (es una carpeta, un dispositivo o una tubería)",
                          "indique el archivo del formato (.xlsx, .xlsm u .ods)"),
    "empty": Message("el archivo está vacío (0 bytes)", "vuelva a guardarlo desde Excel o LibreOffice"),
    "too-big": Message("el archivo mide {mb} MB, más de lo que admite un formato TMM-F004 ({limit} MB)",
                       "envíe solo el formato, sin imágenes ni hojas agregadas"),
    "encrypted": Message("el libro está protegido con contraseña para abrirlo",
                         "quite la contraseña de apertura (la protección de la hoja puede quedarse) y envíelo "
                         "de nuevo"),
    "xls": Message("es un libro .xls antiguo (Excel 97-2003)", "guárdelo como .xlsx y envíelo de nuevo"),
    "not-xlsx": Message("no es un libro de Excel (.xlsx) ni una hoja de LibreOffice (.ods), parece {kind}",
                        "abra el formato original y guárdelo como .xlsx"),
    "not-readable": Message("no se pudo leer el archivo (permisos o disco)",
                            "revise que el archivo se pueda abrir y vuelva a intentarlo"),
    "not-spreadsheet": Message("es un documento OpenDocument que no es una hoja de cálculo",
                               "envíe el formato TMM-F004 guardado como .xlsx u .ods"),
    "zip-not-xlsx": Message("es un archivo comprimido pero no un libro de Excel (.xlsx) ni una hoja de LibreOffice "
                            "(.ods)", "envíe el formato TMM-F004 guardado como .xlsx"),
    "zip-encrypted": Message("el contenido del archivo está cifrado",
                             "guárdelo sin contraseña de apertura y envíelo de nuevo"),
    "zip-bomb": Message("la parte {part} se expande de forma anómala (posible bomba zip); no se abrió",
                        "envíe el formato original guardado de nuevo como .xlsx"),
    "unpacked-too-big": Message("el contenido descomprimido ({mb} MB) excede el límite de {limit} MB para un "
                                "formato TMM-F004; no se abrió",
                                "envíe solo el formato, sin imágenes ni hojas agregadas"),
    "part-too-big": Message("la parte {part} mide {kb} KB descomprimida, más de lo que admite un formato TMM-F004 "
                            "({limit} KB); no se abrió", "envíe solo el formato, sin datos ni hojas agregadas"),
    "part-missing": Message("el libro está incompleto (le falta una parte interna)",
                            "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "part-mismatch": Message("una parte interna no coincide con su tamaño declarado (archivo dañado o manipulado); "
                             "no se abrió", "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "part-duplicated": Message("el archivo comprimido repite el nombre de una parte interna (archivo manipulado); "
                               "no se abrió", "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "compression": Message("el archivo usa una compresión que Excel y LibreOffice no usan",
                           "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "xml-entities": Message("la parte {part} contiene declaraciones XML (DTD/ENTITY) que un libro de Excel no "
                            "usa; no se abrió por seguridad",
                            "abra el formato original en Excel o LibreOffice y guárdelo de nuevo como .xlsx"),
    "xml-invalid": Message("la parte {part} no es XML válido: el archivo está dañado",
                           "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "bad-reference": Message("el libro tiene una referencia de celda dañada",
                             "ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo"),
    "truncated": Message("el archivo está dañado o incompleto (el zip está truncado)", "envíelo de nuevo"),
    "zip-error": Message("no se pudo leer el archivo comprimido: está dañado", "envíelo de nuevo"),
    "damaged": Message("el contenido del libro está dañado",
                       "ábralo en Excel o LibreOffice, guárdelo de nuevo como .xlsx y envíelo"),
    "ods-damaged": Message("la hoja de LibreOffice (.ods) está dañada",
                           "ábrala en LibreOffice, guárdela de nuevo y envíela"),
    "too-many-rows": Message("la hoja «{sheet}» tiene más de {limit} filas: no es un formato TMM-F004",
                             "envíe el formato TMM-F004 original llenado"),
    "too-many-columns": Message("la hoja «{sheet}» tiene celdas más allá de la columna {limit}: no es un formato "
                                "TMM-F004", "borre esas celdas y envíelo de nuevo"),
    "too-many-cells": Message("la hoja «{sheet}» tiene más de {limit} celdas: no es un formato TMM-F004",
                              "envíe el formato TMM-F004 original llenado"),
    "too-much-text": Message("la hoja «{sheet}» repite textos o espacios hasta más de {limit} caracteres: no es un "
                             "formato TMM-F004", "envíe el formato TMM-F004 original llenado"),
    "formula-too-long": Message("la hoja «{sheet}» tiene una fórmula de más de {limit} caracteres, más de lo que "
                                "Excel admite: no es un formato TMM-F004", "envíe el formato TMM-F004 original llenado"),
    "report-book": Message("es un consolidado de poaxl report (hojas Resumen y Hallazgos), no el formato de una "
                           "unidad", "guarde el consolidado fuera de la carpeta de los formatos"),
    "catalog-book": Message("es un catálogo en libro de Excel (poaxl catalog export), no el formato de una unidad",
                            "valídelo con poaxl catalog check y guárdelo fuera de la carpeta de los formatos"),
    "several-forms": Message("el libro tiene {count} formatos TMM-F004 ({sheets}); un formato devuelto es el de "
                             "una sola unidad", "envíe cada formato en su propio archivo"),
    "no-form": Message("el libro no contiene la hoja del formato TMM-F004 (no se encontró la tabla de metas con "
                       "el encabezado «L/A»)", "envíe el formato original llenado"),
}


UNREADABLE = _define(
    code="unreadable", severity=ERROR, fault=COORDINATOR,
    title="archivo ilegible",
    summary="the file cannot be read (see limits below); status `unreadable`, exit 2",
    meaning="El archivo no se puede revisar: no es un libro de Excel, está dañado, protegido con contraseña de "
            "apertura, excede los límites de tamaño, o no contiene el formato TMM-F004. El resto del lote sí se "
            "revisa.",
    why="Lo que no se puede leer no se puede revisar ni consolidar; el archivo se trata como no entregado.",
    example="Un .xls antiguo renombrado .xlsx, o un archivo de 0 bytes.",
    fix="Abra el formato original en Excel o LibreOffice, guárdelo como .xlsx y envíelo de nuevo.",
    messages=REASONS,  # one variant per reason
)

def reason(key: str, **fields) -> str:
    """Why a file is unreadable and what to do, in Spanish (the message of an Unreadable)."""
    return UNREADABLE.message(key, **fields)


# =========================================================================== other frequent messages

TEXTS: dict[str, str] = {
    "no-files": "No se encontró ningún archivo .xlsx, .xlsm ni .ods en: {paths}",
    "only-annotated": "En {paths} solo hay copias anotadas por --annotate ({count}, *{suffix}); no se revisan de "
                      "nuevo: revise la carpeta de los formatos originales.",
    "check-summary": "{files} archivo(s){forms}: {ok} correcto(s), {warnings} con avisos, {errors} con errores, "
                     "{unreadable} ilegible(s) · {n_errors} error(es), {n_warnings} aviso(s).",
    "check-forms": " con {forms} formatos",  # some workbook held several forms (one per sheet)
    "unit-not-in-catalog": "La unidad «{unit}» no existe{where} en el catálogo {catalog}. Unidades válidas: {valid}.",
    "unit-ambiguous": "La unidad «{unit}» existe en varios ramos del catálogo {catalog}: {keys}. Indique el ramo: "
                      "--unit {example} o --ramo {ramo}.",
    "ramo-not-in-catalog": "El ramo «{ramo}» no existe en el catálogo {catalog}. Ramos válidos: {valid}.",
    "office-errors-status": "con errores de la oficina de planeación (la entrega de la unidad está bien)",
    "office-heading": "Para la oficina de planeación (catálogo o formato enviado, no es error de la unidad):",
    "send-summary": "{sent} enviado(s), {partial} parcial(es), {skipped} omitido(s), {failed} fallido(s){written}.",
    "send-written": ", {count} escrito(s) en {folder}",
    # report and generate --from
    "refused-unreadable": "{path}: ilegible — {why}",
    "refused-errors": "{path}: con errores — {why}",
    "refused-unplaced": "{path}: no se consolidó — {why}",
    "report-no-findings": "Ningún archivo tiene hallazgos.",
    "duplicate-unit": "Hay más de un archivo para la misma unidad y periodo (deje solo uno): {dupes}",
    "mixed-quarters": "Los archivos son de trimestres distintos ({quarters}): consolide un trimestre a la vez.",
    "carry-unreadable": "{path}: ilegible, no se usó — {why}",
    "carry-errors": "{path}: tiene errores, no se usó (corríjalo y vuelva a generar): {why}",
    "carry-not-earlier": "{path}: es del T{found}, no anterior al T{quarter}; no se usó.",
    "carry-unknown-unit": "{path}: la unidad {unit} no está en el catálogo; no se usó.",
    "carry-two-files": "Hay dos archivos de la unidad {unit} del T{quarter}: {first} y {second}.",
    # --out of report, catalog export (a workbook) and catalog import/init (a folder)
    "out-not-xlsx": "--out debe ser un archivo .xlsx (se recibió {path}).",
    "out-exists": "{path} ya existe; use --force para reemplazarlo.",
    "annotate-exists": "ya existe la copia {path} — bórrela o elija otra carpeta para --annotate",
    "out-not-empty": "{path} ya existe y no está vacío; use --force para reemplazarlo.",
}


def text(key: str, **fields) -> str:
    return TEXTS[key].format(**fields)


# =========================================================================== numbers in messages

def number(x: float) -> str:
    """A number as messages write it: 1367, 2.5 — no thousands separator (``1,367`` reads as 1.367)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".") if abs(x) < 1e15 else f"{x:g}"


QUOTED_MAX = 60  # characters of a typed text a message quotes: enough to recognise it
_BREAKS = r"\s*[\t\n\v\f\r\x85\u2028\u2029]\s*"  # a line break or tab, with the blanks around it (compiled when needed)


def cell_text(value) -> str:
    """A cell's value as a message quotes it: as a spreadsheet in Spanish shows it (VERDADERO, 30/06/2020,
    12:30, 30:00:00), on one line and at most QUOTED_MAX characters. A coordinator's text never breaks
    the one-line finding, nor adds a line that looks like another one."""
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, dt.datetime):
        day = f"{value.day:02}/{value.month:02}/{value.year:04}"
        return day if value.time() == dt.time() else f"{day} {_clock(value.time())}"
    if isinstance(value, dt.date):
        return f"{value.day:02}/{value.month:02}/{value.year:04}"
    if isinstance(value, dt.time):
        return _clock(value)
    if isinstance(value, dt.timedelta):  # a duration ([h]:mm:ss)
        sign, seconds = ("-" if value < dt.timedelta(0) else ""), round(abs(value.total_seconds()))
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"
    text = re.sub(_BREAKS, " ", str(value))
    return text if len(text) <= QUOTED_MAX else text[:QUOTED_MAX - 1] + "…"


def _clock(t: dt.time) -> str:
    return f"{t.hour:02}:{t.minute:02}" + (f":{t.second:02}" if t.second else "")


def percent(fraction: float) -> str:
    """A fraction as a whole percent the way people write it: 0.25 -> ``25 %``."""
    return f"{number(round(fraction * 100))} %"


# =========================================================================== poaxl explain

def find(code: str) -> FindingType:
    """A finding type by code, or a Spanish error naming the closest codes (``poaxl explain CODE``)."""
    from difflib import get_close_matches

    from .errors import PoaxlError

    wanted = code.strip().lower().strip("[]")
    if wanted in REGISTRY:
        return REGISTRY[wanted]
    close = get_close_matches(wanted, REGISTRY, n=3, cutoff=0.5)
    hint = f" ¿Quiso decir {', '.join(close)}?" if close else ""
    raise PoaxlError(f"No existe el hallazgo «{code}».{hint} Vea la lista con: poaxl explain")


def explain(kind: FindingType, width: int = 88) -> str:
    """The long explanation of one finding, in Spanish: what it means, why it matters, an example, the fix."""
    from textwrap import fill

    def block(text: str, bullet: str = "") -> str:
        return fill(text, width, initial_indent="  " + bullet, subsequent_indent="  " + " " * len(bullet))

    # a reader sees «…» where a message names the cell's own values; programs get the templates in JSON
    messages = "\n".join(block(re.sub(r"\{\w+\}", "…", m.template), "- ") for m in kind.messages.values())
    sections = (("Qué significa", kind.meaning), ("Por qué importa", kind.why), ("Ejemplo", kind.example),
                ("Cómo corregirlo", kind.fix))
    return (f"{kind.code} · {SEVERITY_LABEL[kind.severity]} · lo corrige: {FAULT_LABEL[kind.fault]}\n"
            f"{kind.title[0].upper()}{kind.title[1:]}.\n\n"
            + "".join(f"{title}\n{block(text)}\n\n" for title, text in sections)
            + f"Mensaje{'s' if len(kind.messages) > 1 else ''}\n{messages}\n")


def listing() -> str:
    """Every finding, one line each: code, severity, who fixes it, title."""
    width = max(map(len, REGISTRY))
    lines = [f"{k.code:<{width}}  {SEVERITY_LABEL[k.severity]:<5}  {FAULT_LABEL[k.fault]:<22}  {k.title}"
             for k in REGISTRY.values()]
    return "\n".join(lines) + "\n\nMás detalle: poaxl explain CODIGO\n"
