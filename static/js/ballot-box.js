// The ballot box page checks the published box in the reader's own browser, with the same rules
// as verify.py (docs/elections.md): canonical JSON, SHA-256 chain, roll and seed commitments,
// voted seal and recount. The form still goes to the server-side check; this only adds a second,
// independent opinion computed here. Without JavaScript or Web Crypto nothing changes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-box-check]");
  var output = document.querySelector("[data-box-check-output]");
  if (!form || !output || !window.crypto || !window.crypto.subtle || !window.fetch) { return; }

  function canonical(value) {
    if (value === null || typeof value !== "object") {
      return JSON.stringify(value).replace(/[\u007f-\uffff]/g, function (ch) {
        var code = ch.charCodeAt(0);
        return code === 0x7f ? ch : "\\u" + ("0000" + code.toString(16)).slice(-4);
      });
    }
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    return "{" + Object.keys(value).sort().map(function (key) {
      return canonical(key) + ":" + canonical(value[key]);
    }).join(",") + "}";
  }

  function sha(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  async function verify(box, noted) {
    var problems = [];
    var header = box.header;
    var format = "cocrea-ballot-box/1";
    if (box.format !== format) { return {problems: ["not a " + format + " box"], ballots: 0}; }
    if (await sha(box.seed) !== header.seed_commitment) { problems.push("the seed does not match its commitment"); }
    var listed = box.roll.entries.map(function (e) { return {id: e.id, name: e.name}; });
    var voted = box.roll.entries.filter(function (e) { return e.voted; }).map(function (e) { return e.id; });
    if (await sha(canonical({domain: "cocrea-roll/1", roll: listed})) !== header.roll_hash) {
      problems.push("the roll does not match the hash published when voting opened");
    }
    var genesis = await sha(canonical(Object.assign({domain: format}, header)));
    if (genesis !== box.genesis_hash) { problems.push("the genesis hash does not match the election's data"); }
    var prev = genesis, hashes = [genesis], choices = [], close = null;
    for (var i = 0; i < box.entries.length; i++) {
      var entry = box.entries[i], position = i + 1, content;
      var last = position === box.entries.length;
      if (entry.position !== position || entry.kind !== (last ? "close" : "ballot")) {
        problems.push("entry " + position + " is out of place"); break;
      }
      if (entry.prev_hash !== prev) { problems.push("entry " + position + " does not point to the previous entry"); break; }
      if (last) {
        close = entry;
        content = {kind: "close", election: header.election, position: position, ballots: entry.ballots,
                   voted_hash: entry.voted_hash, closed_at: entry.closed_at, early_reason: entry.early_reason};
      } else {
        choices.push(entry.choice);
        content = {kind: "ballot", election: header.election, position: position,
                   receipt_digest: entry.receipt_digest, choice: entry.choice};
      }
      var current = await sha(prev + canonical(content));
      if (current !== entry.entry_hash) { problems.push("entry " + position + " was changed"); break; }
      hashes.push(current);
      prev = current;
    }
    if (prev !== box.head_hash) { problems.push("the head hash is not the last entry's hash"); }
    if (close) {
      var seal = await sha(canonical({domain: "cocrea-voted/1", voted: voted.slice().sort(function (a, b) { return a - b; })}));
      if (seal !== close.voted_hash) { problems.push("the organisations marked as voted are not those sealed at the close"); }
    }
    if (choices.length !== voted.length) { problems.push(choices.length + " ballots but " + voted.length + " organisations marked as voted"); }
    if (box.result) {
      var counts = {}, blank = 0;
      header.candidates.forEach(function (c) { counts[c.code] = 0; });
      choices.forEach(function (choice) { if (choice === null) { blank += 1; } else { counts[choice] += 1; } });
      if (canonical(counts) !== canonical(box.result.counts) || blank !== box.result.blank) {
        problems.push("the recount does not match the published result");
      }
    }
    if (noted.head) {
      var where = hashes.indexOf(noted.head);
      if (where < 0 || (noted.position !== null && where !== noted.position)) {
        problems.push("the head hash you noted is not where you noted it");
      }
    }
    return {problems: problems, ballots: choices.length};
  }

  form.addEventListener("submit", function (event) {
    // With JavaScript the check runs here, in the reader's browser, on the box as downloaded;
    // a link still leads to the server's check of the same box.
    event.preventDefault();
    var head = (form.elements.head.value || "").trim().toLowerCase();
    var position = form.elements.position.value.trim();
    var noted = {head: head, position: position === "" ? null : parseInt(position, 10)};
    var server = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    output.textContent = output.dataset.running || "";
    fetch(form.dataset.boxUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (box) { return verify(box, noted); })
      .then(function (result) {
        output.dataset.verifies = result.problems.length ? "no" : "yes";
        var verdict = document.createElement("p");
        verdict.textContent = result.problems.length
          ? (output.dataset.bad || "") + " " + result.problems.join("; ")
          : (output.dataset.good || "").replace("{ballots}", String(result.ballots));
        var link = document.createElement("a");
        link.href = server;
        link.textContent = output.dataset.serverLink || server;
        output.replaceChildren(verdict, link);
      })
      .catch(function () { window.location.href = server; });
  });
}());
