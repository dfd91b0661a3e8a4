"""``civictools estimate att-gt | sun-abraham | imputation``: staggered-adoption estimators.

Registered into :mod:`civictools.cli.cmd_estimate` (imported automatically).
"""

from __future__ import annotations

from civictools.cli.cmd_estimate import EstimatorSpec, _panel_args, register_estimator


def _save_plot(ax_or_fig, path: str | None) -> None:
    if not path:
        return
    import matplotlib

    matplotlib.use("Agg")
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    fig.tight_layout()
    fig.savefig(path, dpi=150, metadata={"Date": None} if path.endswith((".svg", ".pdf")) else None)


class _Aggregated:
    """Tidy/summary of an aggregation, with the ATT(g, t) summary printed first."""

    def __init__(self, base, agg):
        self.base, self.agg = base, agg

    def tidy(self):
        return self.agg.tidy()

    def summary(self):
        return self.agg.summary()


def _attgt_args(p):
    _panel_args(p, first_treat=True)
    p.add_argument("--covariate", action="append", default=[], help="pre-treatment covariate (repeatable)")
    p.add_argument("--control", default="never", choices=["never", "notyet"], help="comparison group")
    p.add_argument("--method", default="dr", choices=["dr", "ipw", "reg"])
    p.add_argument("--anticipation", type=int, default=0)
    p.add_argument("--base-period", default="varying", choices=["varying", "universal"])
    p.add_argument("--weights", help="sampling weights column (constant within unit)")
    p.add_argument("--cluster", help="cluster column coarser than the unit")
    p.add_argument("--bootstrap", type=int, metavar="B", help="multiplier bootstrap with B draws (uniform bands)")
    p.add_argument("--repeated-cross-sections", action="store_true",
                   help="rows are independent observations, not a panel (R did's panel=FALSE)")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--aggregate", choices=["simple", "dynamic", "group", "calendar"],
                   help="write this aggregation instead of the ATT(g,t) table")
    p.add_argument("--plot", help="save a plot (PNG, SVG or PDF)")


def _attgt_run(args, df):
    from civictools.evaluate import att_gt

    r = att_gt(df, args.y, args.unit, args.time, args.first_treat, covariates=args.covariate, control=args.control,
               method=args.method, anticipation=args.anticipation, base_period=args.base_period,
               weights=args.weights, cluster=args.cluster, bstrap=bool(args.bootstrap),
               biters=args.bootstrap or 999, seed=args.seed, panel=not args.repeated_cross_sections)
    if args.aggregate:
        a = r.aggregate(args.aggregate)
        if args.plot and args.aggregate != "simple":
            _save_plot(a.plot(), args.plot)
        print(r.summary().as_text())
        print()
        return _Aggregated(r, a)
    if args.plot:
        _save_plot(r.plot(), args.plot)
    return r


def _sunab_args(p):
    _panel_args(p, first_treat=True)
    p.add_argument("--covariate", action="append", default=[], help="time-varying control (repeatable)")
    p.add_argument("--control", default="never", choices=["never", "last"])
    p.add_argument("--ref", type=int, action="append", help="reference relative period(s) (default -1)")
    p.add_argument("--cluster", help="cluster column (default: the unit)")
    p.add_argument("--weights", help="regression weights column")
    p.add_argument("--plot", help="save the event-study plot (PNG, SVG or PDF)")


def _sunab_run(args, df):
    from civictools.evaluate import sun_abraham

    r = sun_abraham(df, args.y, args.unit, args.time, args.first_treat, ref=args.ref or -1, control=args.control,
                    covariates=args.covariate, cluster=args.cluster, weights=args.weights)
    if args.plot:
        _save_plot(r.plot(), args.plot)
    return r


def _imputation_args(p):
    _panel_args(p, first_treat=True)
    p.add_argument("--covariate", action="append", default=[], help="time-varying control (repeatable)")
    p.add_argument("--weights", help="observation weights column")
    p.add_argument("--cluster", help="cluster column (default: the unit)")
    p.add_argument("--plot", help="save the event-time plot (PNG, SVG or PDF)")


def _imputation_run(args, df):
    from civictools.evaluate import did_imputation

    r = did_imputation(df, args.y, args.unit, args.time, args.first_treat, covariates=args.covariate,
                       weights=args.weights, cluster=args.cluster)
    if args.plot:
        _save_plot(r.plot(), args.plot)
    return r


register_estimator(EstimatorSpec(
    "att-gt", "Callaway-Sant'Anna group-time ATTs / 分组-时期处理效应", _attgt_args, _attgt_run,
    "civictools estimate att-gt panel.csv --y y --unit unit --time period --first-treat g --aggregate dynamic --out cs.csv",
))
register_estimator(EstimatorSpec(
    "sun-abraham", "Sun-Abraham interaction-weighted event study / 交互加权事件研究", _sunab_args, _sunab_run,
    "civictools estimate sun-abraham panel.csv --y y --unit unit --time period --first-treat g --out sa.csv",
))
register_estimator(EstimatorSpec(
    "imputation", "Borusyak-Jaravel-Spiess imputation estimator / 插补估计量", _imputation_args, _imputation_run,
    "civictools estimate imputation panel.csv --y y --unit unit --time period --first-treat g --out bjs.csv",
))
