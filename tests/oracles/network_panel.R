# Reference values for leadeval's response-adjusted network comparison
# (helpers.networks.panel.response_adjusted), computed with R's sna on the balanced panel:
# the participants who named a colleague at every wave, and the nominations among them.
#
#   Rscript tests/oracles/network_panel.R        # from the repository root
#
# Inputs: the hand-made network of response_adjusted's doctest, and the Barts Health roster and
# nominations in network_nodes.csv / network_ties.csv (written by make_inputs.py) for the
# programme ("all") and its cohorts barts_c01 and barts_c06. Output: network_panel.json, read by
# tests/test_networks_panel.py (the suite never runs R).
#
# Measures, per basis ("all": every rostered participant; "panel") and wave: nodes, ties of the
# union-rule undirected graph (sna::symmetrize, rule "weak"), density (sna::gden, mode "graph"),
# components (sna::components, weak), E-I index by profession and organisation, and the total
# Gould-Fernandez brokerage on the directed nominations with its z-score (sna::brokerage).

suppressPackageStartupMessages({ library(jsonlite); library(sna) })

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
rd <- function(f) read.csv(file.path(here, f), stringsAsFactors = FALSE)

measure <- function(nd, t) {
  N <- nrow(nd)
  from <- match(t$from_node, nd$node); to <- match(t$to_node, nd$node)
  keep <- !is.na(from) & !is.na(to) & from != to
  adj <- matrix(0, N, N); adj[cbind(from[keep], to[keep])] <- 1
  und <- symmetrize(adj, rule = "weak")
  el <- which(und == 1 & upper.tri(und), arr.ind = TRUE)
  ei <- function(attr) {
    if (nrow(el) == 0) return(NA)
    ext <- sum(nd[[attr]][el[, 1]] != nd[[attr]][el[, 2]]); (ext - (nrow(el) - ext)) / nrow(el)
  }
  b <- brokerage(adj, nd$profession)
  list(nodes = N, ties = nrow(el), density = gden(und, mode = "graph"),
       mean_degree = 2 * nrow(el) / N, components = components(und, connected = "weak"),
       ei_profession = ei("profession"), ei_organisation = ei("organisation"),
       brokerage = unname(b$raw.gli["t"]), brokerage_z = unname(b$z.gli["t"]))
}

compare <- function(nd, ties) {
  waves <- sort(unique(ties$wave))
  answered <- lapply(waves, function(w) unique(ties$from_node[ties$wave == w & ties$from_node %in% nd$node]))
  panel <- Reduce(intersect, answered)
  rows <- list()
  for (w in waves) {
    t <- ties[ties$wave == w, ]
    rows[[length(rows) + 1]] <- c(list(basis = "all", wave = w, panel = length(panel)), measure(nd, t))
    np <- nd[nd$node %in% panel, ]
    tp <- t[t$from_node %in% panel & t$to_node %in% panel, ]
    rows[[length(rows) + 1]] <- c(list(basis = "panel", wave = w, panel = length(panel)), measure(np, tp))
  }
  rows
}

out <- list(versions = list(R = R.version.string, sna = as.character(packageVersion("sna"))))
hand_nodes <- data.frame(node = c("a", "b", "c", "d"), profession = c("x", "x", "y", "y"),
                         organisation = c("o", "o", "o", "o"), stringsAsFactors = FALSE)
hand_ties <- data.frame(wave = c(rep("baseline", 3), rep("post", 5)),
                        from_node = c("a", "b", "c", "a", "b", "c", "d", "d"),
                        to_node = c("b", "d", "b", "b", "c", "a", "a", "b"), stringsAsFactors = FALSE)
out$hand <- compare(hand_nodes, hand_ties)
nodes <- rd("network_nodes.csv"); ties <- rd("network_ties.csv")
for (scope in c("all", "barts_c01", "barts_c06")) {
  nd <- if (scope == "all") nodes else nodes[nodes$cohort_id == scope, ]
  out[[scope]] <- compare(nd, ties)
}
write_json(out, file.path(here, "network_panel.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE)
