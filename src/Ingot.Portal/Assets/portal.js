// Ingot portal: live parts. An element with data-live="/portal/live/..." is replaced by what its server-sent event stream
// sends (HTML rendered by the server's own components) each time something it shows changes; the stream ends itself when
// the thing is finished. No framework, no other script.
"use strict";
for (const region of document.querySelectorAll("[data-live]")) {
  const url = region.getAttribute("data-live");
  if (!url || !url.startsWith("/portal/live/")) continue;
  const source = new EventSource(url);
  let changes = 0;
  source.addEventListener("html", (e) => { region.innerHTML = e.data; region.dataset.liveUpdates = String(++changes); });
  source.addEventListener("done", () => {
    source.close();
    // The rest of the page (a machine's state, its jobs list) was rendered before the change: say so rather than
    // reload under someone typing into a form.
    if (changes > 1) {
      const note = document.createElement("p");
      note.className = "note";
      note.setAttribute("role", "status");
      note.innerHTML = 'Finished. <a href="">Reload the page</a> to see everything it changed.';
      region.after(note);
    }
  });
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) region.setAttribute("data-live-ended", ""); };
}

// "Select all" of a list of checkboxes (the machines page): shown only where this script runs; without it, each box
// still works.
for (const all of document.querySelectorAll("input[data-select-all]")) {
  const boxes = () => document.querySelectorAll(`input[form="${all.getAttribute("data-select-all")}"][type=checkbox]`);
  all.hidden = false;
  all.addEventListener("change", () => { for (const box of boxes()) box.checked = all.checked; });
}
