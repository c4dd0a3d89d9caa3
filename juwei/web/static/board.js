// The public count board: renders the state the server sends (server-sent events).
// Text is always set with textContent, never parsed as HTML.
"use strict";

const STROKES = ["", "一", "丅", "下", "止"];
const MAX_GLYPHS = 40;

function zheng(votes) {
  const five = Math.floor(votes / 5);
  const rest = STROKES[votes % 5];
  if (five <= MAX_GLYPHS) return "正".repeat(five) + rest;
  return "正".repeat(MAX_GLYPHS) + "…";
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function num(n) {
  return n.toLocaleString("zh-CN");
}

function renderOffice(office, scale) {
  const box = el("section", "office");
  box.dataset.office = office.title;
  const h2 = el("h2", null, office.title);
  h2.appendChild(el("span", "seats", "应选 " + office.seats + " 名"));
  box.appendChild(h2);
  if (office.threshold_words) box.appendChild(el("div", "threshold", office.threshold_words));
  box.appendChild(
    el("div", "sections",
      "有效 " + num(office.valid_sections) + " 份，无效 " + num(office.invalid_sections) + " 份")
  );
  for (const line of office.lines) {
    const row = el("div", "row");
    if (line.number === null) row.classList.add("writein");
    if (line.elected) row.classList.add("elected");
    row.dataset.name = line.name;
    row.appendChild(el("span", "no", line.number === null ? "" : String(line.number)));
    row.appendChild(el("span", "name", line.name));
    const tally = el("div", "tally");
    tally.appendChild(el("div", "zheng", zheng(line.votes)));
    const bar = el("div", "bar");
    const fill = el("div", "fill");
    fill.style.width = (scale ? Math.min(100, (100 * line.votes) / scale) : 0) + "%";
    bar.appendChild(fill);
    if (office.threshold_votes !== null && scale) {
      const mark = el("div", "mark");
      mark.style.left = Math.min(100, (100 * office.threshold_votes) / scale) + "%";
      mark.title = "当选线";
      bar.appendChild(mark);
    }
    tally.appendChild(bar);
    row.appendChild(tally);
    row.appendChild(el("span", "votes", num(line.votes)));
    box.appendChild(row);
  }
  if (office.decision) box.appendChild(el("div", "decision", office.decision));
  return box;
}

function render(state) {
  document.getElementById("title").textContent = state.election.includes(state.community)
    ? state.election
    : state.community + " " + state.election;
  document.getElementById("counted").textContent = num(state.counted);
  document.getElementById("expected").textContent = num(state.expected);
  document.getElementById("expected-label").textContent = "（" + state.expected_label + "）";
  document.getElementById("spoilt").textContent =
    "无效票 " + num(state.invalid_ballots) + "　空白票 " + num(state.blank_ballots);
  const scale = Math.max(state.expected, state.counted);
  const offices = document.getElementById("offices");
  offices.replaceChildren(...state.offices.map((o) => renderOffice(o, scale)));
  const footer = document.getElementById("decision");
  if (state.decision) {
    footer.hidden = false;
    footer.textContent = (state.valid ? "计票结果：" : "选举无效：") + state.decision;
  } else {
    footer.hidden = true;
  }
  document.body.dataset.mark = String(state.mark);
}

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/events");
  source.addEventListener("state", (event) => {
    render(JSON.parse(event.data));
    live.className = "label ok";
    live.textContent = "实时更新";
  });
  source.onerror = () => {
    live.className = "label lost";
    live.textContent = "连接中断，正在重连…";
  };
}

connect();
