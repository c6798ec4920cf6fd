# Reference values for helpers.outcomes.mixed from lme4 + lmerTest (and clubSandwich for the
# cluster-robust fallback), on the committed model frames of the sample data's Barts programme
# (mixed_barts_all.csv, 10 cohorts) and two of its cohorts (mixed_barts_c01.csv, 16 people, where
# statsmodels' L-BFGS raises LinAlgError on 3 scales; mixed_barts_c05.csv, 24 people, two
# professions). Each CSV is the frame leadeval models (helpers.outcomes.mixed.model_frame, then
# pool_small_professions): scale, participant_id, wave, score, cohort_id, profession.
#
# Run from the repository root:  Rscript tests/oracles/mixed_models.R
# Writes tests/oracles/mixed_models.json. The test suite reads the JSON and never needs R.
#
# Model (the same specification leadeval fits):
#   three or more cohorts:  score ~ wave * profession + (1 | cohort_id) + (1 | cohort_id:participant_id)
#   fewer cohorts:          score ~ wave * profession + (1 | participant_id)
# (wave alone when one profession), REML, treatment contrasts. The optimiser's tolerance is
# tightened (bobyqa, rhoend 1e-12) so that the reference sits at the REML optimum to more digits
# than the comparison needs; lme4's default stops within about 1e-6 of it.
#
# Contrasts: for each later wave w and profession p, the change x(w, p) - x(baseline, p) of the
# fixed-effect design rows; "all" is their average weighted by the number of people in each
# profession. These do not depend on the reference levels chosen. Tested with lmerTest::contest1D
# (Satterthwaite df, t, 95% CI) and, for the fallback, clubSandwich::linear_contrast (CR2,
# Satterthwaite df) on lm() of the same fixed effects clustered by participant.

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(clubSandwich)
  library(jsonlite)
})

dir <- "tests/oracles"
waves_all <- c("baseline", "post", "follow_up")
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                    check.conv.singular = "ignore", calc.derivs = FALSE)

contrast_rows <- function(df, fixed) {
  waves <- intersect(waves_all, unique(df$wave))
  people <- df[!duplicated(df$participant_id), ]
  n_prof <- table(people$profession)
  profs <- sort(names(n_prof))
  tt <- delete.response(terms(fixed))
  row_of <- function(w, p) {
    nd <- data.frame(wave = factor(w, levels = levels(df$wave)),
                     profession = factor(p, levels = levels(df$profession)))
    model.matrix(tt, nd)[1, ]
  }
  out <- list()
  for (w in waves[-1]) {
    per <- lapply(profs, function(p) row_of(w, p) - row_of("baseline", p))
    names(per) <- profs
    all <- Reduce(`+`, Map(function(l, p) l * as.numeric(n_prof[p]) / sum(n_prof), per, profs))
    out[[length(out) + 1]] <- list(wave = w, profession = "all", L = all)
    if (length(profs) > 1) {
      for (p in profs) out[[length(out) + 1]] <- list(wave = w, profession = p, L = per[[p]])
    }
  }
  out
}

one_scale <- function(df, scope) {
  df$wave <- factor(df$wave, levels = intersect(waves_all, unique(df$wave)))
  counts <- sort(table(df$profession), decreasing = TRUE)
  df$profession <- factor(df$profession, levels = names(counts))
  rhs <- if (nlevels(df$profession) > 1) "wave * profession" else "wave"
  nested <- length(unique(df$cohort_id)) >= 3
  re <- if (nested) "(1 | cohort_id) + (1 | cohort_id:participant_id)" else "(1 | participant_id)"
  fixed <- as.formula(paste("score ~", rhs))
  fit <- lmerTest::lmer(as.formula(paste("score ~", rhs, "+", re)), data = df, REML = TRUE,
                        control = ctrl)
  vc <- as.data.frame(VarCorr(fit))
  var_of <- function(g) if (g %in% vc$grp) vc$vcov[vc$grp == g] else NULL
  ols <- lm(fixed, data = df)
  rows <- contrast_rows(df, fixed)
  Lm <- do.call(rbind, lapply(rows, `[[`, "L"))
  cr2 <- linear_contrast(ols, vcov = "CR2", cluster = df$participant_id, contrasts = Lm,
                         test = "Satterthwaite", p_values = TRUE)
  contrasts <- lapply(seq_along(rows), function(i) {
    r <- rows[[i]]
    ct <- contest1D(fit, r$L, ddf = "Satterthwaite", confint = TRUE, level = 0.95)
    list(wave = r$wave, profession = r$profession,
         estimate = ct$Estimate, se = ct$`Std. Error`, df = ct$df, t = ct$`t value`,
         p_value = ct$`Pr(>|t|)`, ci_low = ct$lower, ci_high = ct$upper,
         cr2 = list(estimate = cr2$Est[i], se = cr2$SE[i], df = cr2$df[i],
                    p_value = cr2$p_val[i], ci_low = cr2$CI_L[i], ci_high = cr2$CI_U[i]))
  })
  list(scope = scope, scale = df$scale[1], formula = deparse1(formula(fit)),
       n_obs = nrow(df), n_people = length(unique(df$participant_id)),
       n_cohorts = length(unique(df$cohort_id)),
       reml_loglik = as.numeric(logLik(fit)), theta = unname(getME(fit, "theta")),
       var_cohort = var_of("cohort_id"),
       var_participant = if (nested) var_of("cohort_id:participant_id") else var_of("participant_id"),
       var_residual = var_of("Residual"), contrasts = contrasts)
}

results <- list()
for (scope in c("all", "c01", "c05")) {
  data <- read.csv(file.path(dir, paste0("mixed_barts_", scope, ".csv")),
                   colClasses = c("character", "character", "character", "numeric",
                                  "character", "character"))
  for (s in sort(unique(data$scale))) {
    results[[length(results) + 1]] <- one_scale(data[data$scale == s, ], scope)
  }
}
meta <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
             lmerTest = as.character(packageVersion("lmerTest")),
             clubSandwich = as.character(packageVersion("clubSandwich")))
writeLines(toJSON(list(meta = meta, fits = results), auto_unbox = TRUE, digits = NA,
                  null = "null", pretty = TRUE),
           file.path(dir, "mixed_models.json"))
cat("wrote", length(results), "fits to", file.path(dir, "mixed_models.json"), "\n")
