// The report's one script (allowed by the page's Content-Security-Policy by
// its SHA-256 hash): sorts a table by the column whose head is clicked, and
// opens a factor's list of misclassified images when a link points into it.
(function () {
	"use strict";
	var missing = { "": true, "–": true, "—": true };

	// key is what a cell sorts by: its data-v attribute, or its text.
	function key(row, col) {
		var td = row.cells[col];
		if (!td) {
			return "";
		}
		var v = td.getAttribute("data-v");
		return (v === null ? td.textContent : v).trim();
	}

	function number(k) {
		return Number(k.replace(/[,\s%]/g, ""));
	}

	// sortBy sorts th's table by th's column: numbers high to low and text
	// A to Z on the first click, the other way on the next; missing values
	// always last.
	function sortBy(th) {
		var table = th.closest("table"), body = table.tBodies[0], col = th.cellIndex;
		var rows = Array.prototype.slice.call(body.rows);
		var items = rows.map(function (row, i) { return { row: row, key: key(row, col), i: i }; });
		var numeric = items.every(function (it) { return missing[it.key] || isFinite(number(it.key)); });
		var was = th.getAttribute("aria-sort");
		var descending = was ? was === "ascending" : numeric;
		items.sort(function (a, b) {
			var ma = missing[a.key], mb = missing[b.key];
			if (ma || mb) {
				return ma === mb ? a.i - b.i : (ma ? 1 : -1);
			}
			var c = numeric ? number(a.key) - number(b.key) : a.key.localeCompare(b.key);
			if (descending) {
				c = -c;
			}
			return c || a.i - b.i;
		});
		var heads = th.parentNode.cells;
		for (var h = 0; h < heads.length; h++) {
			heads[h].removeAttribute("aria-sort");
		}
		th.setAttribute("aria-sort", descending ? "descending" : "ascending");
		// Reorder the rows while the body is out of the document: moving
		// rows of a live table one by one costs time quadratic in their
		// number (each move invalidates the styles of its siblings).
		var next = body.nextSibling;
		table.removeChild(body);
		items.forEach(function (it) { body.appendChild(it.row); });
		table.insertBefore(body, next);
	}

	// open opens the <details> that holds the element with the given id.
	function open(id) {
		var el = id && document.getElementById(id);
		for (; el; el = el.parentElement) {
			if (el.tagName === "DETAILS") {
				el.open = true;
			}
		}
	}

	document.addEventListener("click", function (e) {
		var button = e.target.closest("table.sortable thead button");
		if (button) {
			sortBy(button.closest("th"));
			return;
		}
		var link = e.target.closest("a[href^='#']");
		if (link) {
			open(decodeURIComponent(link.getAttribute("href").slice(1)));
		}
	});
	open(decodeURIComponent(location.hash.slice(1)));
})();
