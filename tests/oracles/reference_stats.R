# Reference values for leadeval's statistics, computed by the reference implementations in R
# (psych, survival, cmprsk, sna, igraph, sandwich, lmtest) on the fixed inputs in this folder
# (written once from data/sample by make_inputs.py). Output: reference_stats.json.
#
#   Rscript tests/oracles/reference_stats.R        # from the repository root
#
# Scopes: the Barts Health programme ("all") and two of its cohorts, barts_c01 (nobody left the
# NHS) and barts_c05 (four leavers). The test suite compares leadeval to the JSON to 4
# significant digits and never runs R.

suppressPackageStartupMessages({
  library(jsonlite); library(psych); library(survival); library(cmprsk)
  library(sna); library(igraph); library(sandwich); library(lmtest)
})

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
rd <- function(f) read.csv(file.path(here, f), stringsAsFactors = FALSE)
SCOPES <- c("all", "barts_c01", "barts_c05")
in_scope <- function(df, scope) if (scope == "all") df else df[df$cohort_id == scope, ]
out <- list(versions = list(R = R.version.string,
                            psych = as.character(packageVersion("psych")),
                            survival = as.character(packageVersion("survival")),
                            cmprsk = as.character(packageVersion("cmprsk")),
                            sna = as.character(packageVersion("sna")),
                            igraph = as.character(packageVersion("igraph")),
                            sandwich = as.character(packageVersion("sandwich")),
                            lmtest = as.character(packageVersion("lmtest"))))

# --- Cronbach's alpha: psych::alpha (pairwise covariances) and its Feldt interval -----------
items <- rd("alpha_items.csv"); scales <- rd("alpha_item_scales.csv")
alpha_rows <- list()
for (scope in SCOPES) {
  d <- in_scope(items, scope)
  for (sc in unique(scales$scale)) for (w in unique(d$wave)) {
    x <- d[d$wave == w, scales$item_id[scales$scale == sc], drop = FALSE]
    x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
    a <- psych::alpha(x, use = "pairwise", check.keys = FALSE, warnings = FALSE)
    ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = nrow(x), n.var = ncol(x), p.val = 0.05)
    alpha_rows[[length(alpha_rows) + 1]] <- list(
      scope = scope, scale = sc, wave = w, n = nrow(x), k = ncol(x),
      alpha = a$total$raw_alpha, ci_low = ci$lower.ci, ci_high = ci$upper.ci,
      feldt_low = a$feldt$lower.ci[[1]], feldt_high = a$feldt$upper.ci[[1]])
  }
}
out$alpha <- alpha_rows

# --- Paired change: t.test, wilcox.test, d_z, d_av, g_av, noncentral-t intervals, Holm ------
nct_ci <- function(t, df, level = 0.95) {
  a <- 1 - level
  f <- function(ncp, target) pt(t, df, ncp) - target
  w <- 10 + abs(t)
  c(uniroot(f, c(t - w, t + w), target = 1 - a / 2, tol = 1e-12)$root,
    uniroot(f, c(t - w, t + w), target = a / 2, tol = 1e-12)$root)
}
paired <- function(before, after) {
  ok <- is.finite(before) & is.finite(after); x <- before[ok]; y <- after[ok]; n <- length(x)
  tt <- t.test(y, x, paired = TRUE)
  dif <- y - x
  # exact for up to 50 non-zero differences; wilcox.test itself declines it when there are
  # zeros or ties. Ranks after signif(, 7): differences of item means (8/6 - 7/6 and
  # 9/6 - 8/6) tie in exact arithmetic but not in floating point or in the CSV's 10 digits.
  wp <- suppressWarnings(wilcox.test(y, x, paired = TRUE, exact = sum(dif != 0) <= 50,
                                     correct = FALSE, digits.rank = 7)$p.value)
  sd_av <- (sd(x) + sd(y)) / 2
  d_z <- mean(dif) / sd(dif); ci <- nct_ci(d_z * sqrt(n), n - 1) / sqrt(n)
  d_av <- mean(dif) / sd_av
  list(n = n, estimate = mean(dif), ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
       t = unname(tt$statistic), p_value = tt$p.value, wilcoxon_p = wp,
       d_z = d_z, d_z_low = ci[1], d_z_high = ci[2], d_av = d_av,
       d_av_low = ci[1] * sd(dif) / sd_av, d_av_high = ci[2] * sd(dif) / sd_av,
       # Hedges' correction with the paired design's degrees of freedom, n - 1 (Lakens 2013)
       g_av = d_av * (1 - 3 / (4 * (n - 1) - 1)))
}
ch <- rd("change_scores.csv")
PAIRS <- list(c("baseline", "post"), c("baseline", "follow_up"), c("post", "follow_up"))
change_rows <- list()
for (scope in SCOPES) {
  d <- in_scope(ch, scope); fam <- list()
  for (p in PAIRS) for (sc in unique(d$scale)) {
    s <- d[d$scale == sc, ]
    r <- c(list(scope = scope, scale = sc, from_wave = p[1], to_wave = p[2]),
           paired(s[[p[1]]], s[[p[2]]]))
    fam[[length(fam) + 1]] <- r
  }
  # one Holm family per scope: every scale at every wave pair
  adj <- p.adjust(sapply(fam, `[[`, "p_value"), method = "holm")
  for (i in seq_along(fam)) fam[[i]]$p_holm <- adj[i]
  change_rows <- c(change_rows, fam)
}
out$change <- change_rows

# --- 360 gaps: paired t of self against others' mean, Holm over scales x waves -------------
gp <- rd("gap_scores.csv")
gap_rows <- list()
for (scope in SCOPES) {
  d <- in_scope(gp, scope); fam <- list()
  for (w in unique(d$wave)) for (sc in unique(d$scale)) {
    s <- d[d$wave == w & d$scale == sc, ]
    if (nrow(s) < 2) next
    tt <- t.test(s$self, s$others, paired = TRUE)
    fam[[length(fam) + 1]] <- list(scope = scope, scale = sc, wave = w, n = nrow(s),
                                   estimate = unname(tt$estimate), ci_low = tt$conf.int[1],
                                   ci_high = tt$conf.int[2], p_value = tt$p.value)
  }
  adj <- p.adjust(sapply(fam, `[[`, "p_value"), method = "holm")
  for (i in seq_along(fam)) fam[[i]]$p_holm <- adj[i]
  gap_rows <- c(gap_rows, fam)
}
out$gaps <- gap_rows

# --- Pipeline: cumulative incidence with leaving the NHS as a competing event --------------
pl <- rd("pipeline.csv")
pipe_rows <- list()
for (scope in SCOPES) {
  d <- in_scope(pl, scope)
  ci <- cuminc(d$months, d$status, cencode = 0)
  tp <- timepoints(ci, c(12, 24))
  ms <- summary(survfit(Surv(months, factor(status, levels = 0:2)) ~ 1, data = d),
                times = c(12, 24))
  km <- summary(survfit(Surv(months, status == 1) ~ 1, data = d, conf.type = "log-log"),
                times = c(12, 24))
  for (i in 1:2) {
    est <- tp$est["1 1", i]; v <- tp$var["1 1", i]
    pipe_rows[[length(pipe_rows) + 1]] <- list(
      scope = scope, months = c(12, 24)[i], n = nrow(d), n_left = sum(d$status == 2),
      cuminc = est, cuminc_var = v,
      # the usual log(-log) interval of a cumulative incidence (Pintilie 2006; Choudhury 2002)
      ci_low = est^exp(-qnorm(0.975) * sqrt(v) / (est * log(est))),
      ci_high = est^exp(qnorm(0.975) * sqrt(v) / (est * log(est))),
      aj_survfit = unname(ms$pstate[i, which(ms$states == "1")]),
      km_incidence = 1 - km$surv[i])
  }
}
out$pipeline <- pipe_rows

# --- Networks: density, E-I, betweenness within components, Gould-Fernandez brokerage ------
nodes <- rd("network_nodes.csv"); ties <- rd("network_ties.csv")
net_rows <- list(); brok_rows <- list(); node_rows <- list()
for (scope in SCOPES) {
  nd <- in_scope(nodes, scope); N <- nrow(nd); pos <- match(nd$node, nd$node)
  for (w in sort(unique(ties$wave))) {
    t <- ties[ties$wave == w & ties$from_node %in% nd$node & ties$to_node %in% nd$node, ]
    from <- match(t$from_node, nd$node); to <- match(t$to_node, nd$node)
    # undirected graph by the union rule, every rostered participant a node
    g <- simplify(graph_from_edgelist(cbind(from, to), directed = FALSE))
    g <- add_vertices(g, N - vcount(g))
    el <- as_edgelist(g)
    ei <- function(attr) {
      ext <- sum(nd[[attr]][el[, 1]] != nd[[attr]][el[, 2]]); int <- nrow(el) - ext
      sz <- table(nd[[attr]])
      c(ei = (ext - int) / (ext + int), expected = 1 - 2 * sum(sz * (sz - 1)) / (N * (N - 1)))
    }
    comp <- components(g)
    bw <- numeric(N)
    for (k in seq_len(comp$no)) {
      members <- which(comp$membership == k)
      if (length(members) < 3) next
      bw[members] <- betweenness(induced_subgraph(g, members), normalized = TRUE)
    }
    eo <- ei("organisation"); ep <- ei("profession")
    net_rows[[length(net_rows) + 1]] <- list(
      scope = scope, wave = w, nodes = N, ties = ecount(g), density = edge_density(g),
      components = comp$no, ei_organisation = eo[["ei"]], expected_ei_organisation = eo[["expected"]],
      ei_profession = ep[["ei"]], expected_ei_profession = ep[["expected"]],
      betweenness_whole = betweenness(g, normalized = TRUE), betweenness_component = bw)
    # brokerage on the nominations as named (directed), as sna::brokerage defines it
    adj <- matrix(0, N, N); adj[cbind(from, to)] <- 1; diag(adj) <- 0
    for (attr in c("profession", "organisation")) {
      b <- sna::brokerage(adj, nd[[attr]])
      brok_rows[[length(brok_rows) + 1]] <- list(
        scope = scope, wave = w, attribute = attr, ties = sum(adj),
        raw = as.list(b$raw.gli), expected = as.list(b$exp.gli), sd = as.list(b$sd.gli),
        z = as.list(b$z.gli))
      if (scope == "all" || attr == "profession")
        node_rows[[length(node_rows) + 1]] <- list(
          scope = scope, wave = w, attribute = attr, node = nd$node,
          raw = lapply(colnames(b$raw.nli), function(r) unname(b$raw.nli[, r])),
          z = lapply(colnames(b$z.nli), function(r) unname(b$z.nli[, r])),
          roles = colnames(b$raw.nli))
    }
  }
}
out$network <- net_rows; out$brokerage <- brok_rows; out$brokerage_nodes <- node_rows

# --- Inter-coder agreement: Cohen's kappa (psych) and nominal Krippendorff's alpha ---------
kripp_nominal <- function(m) {          # coders x units, NA missing (Krippendorff 2011)
  m <- m[, colSums(!is.na(m)) >= 2, drop = FALSE]
  vals <- sort(unique(as.vector(m[!is.na(m)])))
  o <- matrix(0, length(vals), length(vals))
  for (u in seq_len(ncol(m))) {
    v <- m[!is.na(m[, u]), u]; mu <- length(v)
    for (i in seq_along(v)) for (j in seq_along(v)) if (i != j)
      o[match(v[i], vals), match(v[j], vals)] <- o[match(v[i], vals), match(v[j], vals)] + 1 / (mu - 1)
  }
  nc <- rowSums(o); n <- sum(nc)
  1 - (n - 1) * (sum(o) - sum(diag(o))) / (n^2 - sum(nc^2))
}
cd <- rd("codings.csv")
segs <- sort(unique(cd$segment)); coders <- sort(unique(cd$coder_id))
coded <- table(factor(cd$coder_id, coders), factor(cd$segment, segs)) > 0
agree_rows <- list(); pooled <- NULL
for (code in sort(unique(cd$code_id))) {
  m <- ifelse(coded, 0, NA)
  hit <- cd[cd$code_id == code, ]
  m[cbind(match(hit$coder_id, coders), match(hit$segment, segs))] <- 1
  pooled <- cbind(pooled, m)
  k <- psych::cohen.kappa(t(m))$kappa
  agree_rows[[length(agree_rows) + 1]] <- list(code_id = code, n = ncol(m), kappa = k,
                                               alpha = kripp_nominal(m))
}
agree_rows[[length(agree_rows) + 1]] <- list(code_id = "__overall__", n = length(segs),
                                             kappa = psych::cohen.kappa(t(pooled))$kappa,
                                             alpha = kripp_nominal(pooled))
out$agreement <- agree_rows

# --- Krippendorff's alpha: the segment (cluster) bootstrap of the overall row ---------------
# The pooled matrix's units are code x segment; a resample draws segments with replacement and
# keeps every code of each drawn segment. R's own draws (its RNG, not numpy's) are written out,
# so the test recomputes alpha on exactly these resamples.
set.seed(20241125)
B <- 200; G <- length(segs)
segment_of <- rep(seq_len(G), times = ncol(pooled) / G)
draws <- matrix(sample.int(G, G * B, replace = TRUE), nrow = B)
boot_alpha <- apply(draws, 1, function(d) {
  cols <- unlist(lapply(d, function(k) which(segment_of == k)))
  kripp_nominal(pooled[, cols, drop = FALSE])
})
out$agreement_bootstrap <- list(
  n_boot = B, segments = G, units = ncol(pooled),
  draws = apply(draws, 1, paste, collapse = " "), alpha = boot_alpha,
  ci = unname(quantile(boot_alpha, c(0.025, 0.975), type = 7)))

# --- ITS: least squares with Newey-West errors, t with residual df (lmtest::coeftest) -------
its_fit <- function(y, time, after) {
  n <- length(y); L <- floor(4 * (n / 100)^(2 / 9))
  slope <- (time - max(time[after == 0])) * after
  fit <- lm(y ~ time + after + slope)
  V <- NeweyWest(fit, lag = L, prewhite = FALSE, adjust = FALSE)
  ct <- coeftest(fit, vcov. = V, df = fit$df.residual)
  ci <- coefci(fit, vcov. = V, df = fit$df.residual)
  z <- coeftest(fit, vcov. = V, df = Inf)
  terms <- c(pre_slope = "time", level_change = "after", slope_change = "slope")
  lapply(terms, function(tm) list(estimate = unname(coef(fit)[tm]), se = unname(ct[tm, 2]),
                                  ci_low = ci[tm, 1], ci_high = ci[tm, 2], p_value = ct[tm, 4],
                                  p_wald_z = z[tm, 4], df = fit$df.residual, lags = L, n = n))
}
its <- rd("its_series.csv"); sic <- rd("sicily.csv")
out$its <- list(kpi = its_fit(its$value, its$time, its$after),
                sicily_rate = its_fit(sic$aces / sic$stdpop * 1e5, sic$time, sic$smokban))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(here, "reference_stats.json"))
cat("wrote", file.path(here, "reference_stats.json"), "\n")
