package catalog

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxSuggestions caps "did you mean" lists: past three, a hint stops
// helping and the full list of known names follows anyway.
const maxSuggestions = 3

// Suggest returns the candidates that word was probably meant to be, the
// closest first and at most three: those within two edits of it (a swap
// of adjacent letters is one edit), or that contain it or are contained in
// it, ignoring case.
func Suggest(word string, candidates []string) []string {
	type scored struct {
		name string
		dist int
	}
	var hits []scored
	lw := strings.ToLower(word)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		dist := editDistance(lw, lc)
		// Very short words are a couple of edits from, or inside, almost
		// anything; suggesting for them would be noise.
		near := dist <= 2 && dist < utf8.RuneCountInString(lw)
		related := len(lw) >= 3 && (strings.Contains(lc, lw) || strings.Contains(lw, lc))
		if c != word && (near || related) {
			hits = append(hits, scored{c, dist})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name))
	})
	out := make([]string, 0, min(len(hits), maxSuggestions))
	for _, h := range hits[:min(len(hits), maxSuggestions)] {
		out = append(out, h.name)
	}
	return out
}

// editDistance is the optimal string alignment distance between a and b,
// in runes: Levenshtein plus adjacent transpositions, so that the common
// typo "ordres" is one edit from "orders", not two.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	dist := make([][]int, len(ra)+1)
	for i := range dist {
		dist[i] = make([]int, len(rb)+1)
		dist[i][0] = i
	}
	for j := range dist[0] {
		dist[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			dist[i][j] = min(dist[i-1][j]+1, dist[i][j-1]+1, dist[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				dist[i][j] = min(dist[i][j], dist[i-2][j-2]+1)
			}
		}
	}
	return dist[len(ra)][len(rb)]
}
