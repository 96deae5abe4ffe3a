"""Required-section profiles (data files) and the check that a leaflet satisfies one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .. import packagedata
from ..errors import ProfileError
from .locales import locale_for
from .monograph import Monograph


@dataclass(frozen=True)
class Profile:
    """What a kind of leaflet must contain; loaded from ``data/profiles/<name>.yaml``."""

    name: str
    description: str
    required_sections: tuple[str, ...]
    requires_revised: bool
    banner: str | None
    title_suffix: str
    min_body_pt: float
    checks: tuple[str, ...]  # check rules that apply only to this profile
    required_statements: tuple[str, ...]  # statements (strings/*.yaml) the text must contain
    # what a word-for-word import of an FDA-approved label must have (source.spl-set-id):
    # the regulation asks for the other sections only "if relevant", and the label decides
    label_required_sections: tuple[str, ...] = ()

    def required_for(self, leaflet: Monograph) -> tuple[str, ...]:
        """The sections this leaflet must have, in order."""
        if leaflet.attribution.spl_set_id is not None:
            return self.label_required_sections
        return self.required_sections


def profile_names() -> tuple[str, ...]:
    return packagedata.names("profiles")


@cache
def load_profile(name: str) -> Profile:
    """The named profile; KeyError when there is none."""
    if name not in profile_names():
        raise KeyError(name)
    data = packagedata.load(f"profiles/{name}.yaml")
    return Profile(
        name=data["name"],
        description=data["description"],
        required_sections=tuple(data["required_sections"]),
        requires_revised=bool(data["requires_revised"]),
        banner=data["banner"],
        title_suffix=data["title_suffix"],
        min_body_pt=float(data["min_body_pt"]),
        checks=tuple(data.get("checks", ())),
        required_statements=tuple(data.get("required_statements", ())),
        label_required_sections=tuple(
            data.get("label_required_sections", data["required_sections"])
        ),
    )


def check_profile(leaflet: Monograph) -> Profile:
    """Refuse a leaflet whose sections do not satisfy its profile; return the profile."""
    profile = load_profile(leaflet.profile)
    prefix = f"profile '{profile.name}': "
    kinds = [section.kind for section in leaflet.sections]
    for section in leaflet.sections:
        if not section.blocks:
            raise ProfileError(
                prefix + f"section '{section.kind}' is empty; give it text or remove it",
                line=section.line,
                path=leaflet.path,
            )
    previous, previous_kind = -1, ""
    required = profile.required_for(leaflet)
    for kind in required:
        if kind not in kinds:
            raise ProfileError(
                prefix
                + f"required section '{kind}' is missing; required, in order: "
                + ", ".join(required),
                path=leaflet.path,
            )
        position = kinds.index(kind)
        if position < previous:
            raise ProfileError(
                prefix
                + f"section '{kind}' must come after '{previous_kind}'; required order: "
                + ", ".join(required),
                line=leaflet.sections[position].line,
                path=leaflet.path,
            )
        previous, previous_kind = position, kind
    if profile.requires_revised and leaflet.attribution.revised is None:
        raise ProfileError(
            prefix + "source.revised (the revision date) is required; add it as YYYY-MM-DD",
            path=leaflet.path,
        )
    if profile.required_statements:
        locale = locale_for(leaflet.language)
        text = " ".join(block.plain for s in leaflet.sections for block in s.blocks)
        for name in profile.required_statements:
            if not locale.statement_found(name, text):
                wording = locale.statements[name]["wording"]
                raise ProfileError(
                    prefix + f"the required statement is missing; add it to a section, "
                    f'e.g. "{wording}"',
                    path=leaflet.path,
                )
    return profile
