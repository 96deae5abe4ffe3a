// Progressive help for the counter page; the page works without it.
// - suggestions as you type come from the library (/v1/leaflets?q=…);
// - the language lists narrow to the languages the chosen medicine has;
// - after printing, the form is cleared (the server already returns it empty).
(() => {
  const field = document.getElementById("leaflet");
  const list = document.getElementById("leaflet-names");
  const selects = ["language", "also"].map((id) => document.getElementById(id)).filter(Boolean);
  if (!field || !list || selects.length === 0) return;
  const allLanguages = Array.from(selects[0].options).slice(1).map((o) => [o.value, o.text]);
  let timer;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = field.value.trim();
      if (query.length < 2) return;
      const answer = await fetch(`/v1/leaflets?q=${encodeURIComponent(query)}`, { credentials: "same-origin" });
      if (!answer.ok) return;
      const found = await answer.json();
      list.replaceChildren(...found.flatMap((leaflet) => [leaflet.drug, ...leaflet.brands, leaflet.id]
        .map((name) => Object.assign(document.createElement("option"), { value: name }))));
      const names = new Set(found.map((l) => l.drug.toLowerCase()));
      const languages = new Set(found.filter((l) => names.has(l.drug.toLowerCase()) || found.length === 1)
        .map((l) => l.language));
      for (const select of selects) {
        const keep = select.value;
        const first = select.options[0];  // "English (or the leaflet's own)", "Nothing"
        select.replaceChildren(first, ...allLanguages
          .filter(([value]) => languages.size === 0 || languages.has(value))
          .map(([value, text]) => Object.assign(document.createElement("option"), { value, text, selected: value === keep })));
      }
    }, 150);
  });
  const errors = document.getElementById("errors");
  if (errors) errors.focus();
})();
