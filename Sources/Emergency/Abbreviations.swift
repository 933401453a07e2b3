/// The abbreviation tables of USPS Publication 28 ("Postal Addressing Standards") that address normalization
/// uses: street suffixes (Appendix C1), secondary unit designators (Appendix C2), directionals, and states.
///
/// Each table maps every accepted spelling (the full word, the standard abbreviation and the common variants
/// Publication 28 lists) to the standard abbreviation.
enum Abbreviations {
    /// Street suffixes (Publication 28, Appendix C1): spellings → the standard suffix abbreviation.
    static let streetTypes: [String: String] = table([
        "ALY": ["ALLEY", "ALLEE", "ALLY"], "ANX": ["ANNEX", "ANEX", "ANNX"], "ARC": ["ARCADE"],
        "AVE": ["AVENUE", "AV", "AVEN", "AVENU", "AVN", "AVNUE"], "BYU": ["BAYOU", "BAYOO"], "BCH": ["BEACH"],
        "BND": ["BEND"], "BLF": ["BLUFF", "BLUF"], "BTM": ["BOTTOM", "BOT", "BOTTM"],
        "BLVD": ["BOULEVARD", "BOUL", "BOULV"], "BR": ["BRANCH", "BRNCH"], "BRG": ["BRIDGE", "BRDGE"],
        "BRK": ["BROOK"], "BG": ["BURG"], "BYP": ["BYPASS", "BYPA", "BYPAS", "BYPS"], "CP": ["CAMP", "CMP"],
        "CYN": ["CANYON", "CANYN", "CNYN"], "CPE": ["CAPE"], "CSWY": ["CAUSEWAY", "CAUSWA"],
        "CTR": ["CENTER", "CEN", "CENT", "CENTR", "CENTRE", "CNTER", "CNTR"], "CIR": ["CIRCLE", "CIRC", "CIRCL", "CRCL", "CRCLE"],
        "CLF": ["CLIFF"], "CLB": ["CLUB"], "CMN": ["COMMON"], "COR": ["CORNER"], "CRSE": ["COURSE"],
        "CT": ["COURT"], "CTS": ["COURTS"], "CV": ["COVE"], "CRK": ["CREEK"], "CRES": ["CRESCENT", "CRSENT", "CRSNT"],
        "XING": ["CROSSING", "CRSSNG"], "DL": ["DALE"], "DM": ["DAM"], "DV": ["DIVIDE", "DIV", "DVD"],
        "DR": ["DRIVE", "DRIV", "DRV"], "EST": ["ESTATE"], "EXPY": ["EXPRESSWAY", "EXP", "EXPR", "EXPRESS", "EXPW"],
        "EXT": ["EXTENSION", "EXTN", "EXTNSN"], "FLS": ["FALLS"], "FRY": ["FERRY", "FRRY"], "FLD": ["FIELD"],
        "FLDS": ["FIELDS"], "FLT": ["FLAT"], "FRD": ["FORD"], "FRST": ["FOREST", "FORESTS"], "FRG": ["FORGE", "FORG"],
        "FRK": ["FORK"], "FT": ["FORT", "FRT"], "FWY": ["FREEWAY", "FREEWY", "FRWAY", "FRWY"],
        "GDN": ["GARDEN", "GARDN", "GRDEN", "GRDN"], "GTWY": ["GATEWAY", "GATEWY", "GATWAY", "GTWAY"],
        "GLN": ["GLEN"], "GRN": ["GREEN"], "GRV": ["GROVE", "GROV"], "HBR": ["HARBOR", "HARB", "HARBR", "HRBOR"],
        "HVN": ["HAVEN"], "HTS": ["HEIGHTS", "HT"], "HWY": ["HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY"],
        "HL": ["HILL"], "HLS": ["HILLS"], "HOLW": ["HOLLOW", "HLLW", "HOLLOWS", "HOLWS"], "INLT": ["INLET"],
        "IS": ["ISLAND", "ISLND"], "ISS": ["ISLANDS", "ISLNDS"], "JCT": ["JUNCTION", "JCTION", "JCTN", "JUNCTN", "JUNCTON"],
        "KY": ["KEY"], "KNL": ["KNOLL", "KNOL"], "LK": ["LAKE"], "LKS": ["LAKES"], "LNDG": ["LANDING", "LNDNG"],
        "LN": ["LANE"], "LGT": ["LIGHT"], "LOOP": ["LOOPS"], "MALL": [], "MNR": ["MANOR"], "MDW": ["MEADOW"],
        "MDWS": ["MEADOWS", "MEDOWS"], "ML": ["MILL"], "MSN": ["MISSION", "MISSN", "MSSN"], "MT": ["MOUNT", "MNT"],
        "MTN": ["MOUNTAIN", "MNTAIN", "MNTN", "MOUNTIN", "MTIN"], "NCK": ["NECK"], "ORCH": ["ORCHARD", "ORCHRD"],
        "OVAL": ["OVL"], "PARK": ["PRK"], "PKWY": ["PARKWAY", "PARKWY", "PKWAY", "PKY"], "PASS": [],
        "PATH": ["PATHS"], "PIKE": ["PIKES"], "PNE": ["PINE"], "PL": ["PLACE"], "PLN": ["PLAIN"],
        "PLZ": ["PLAZA", "PLZA"], "PT": ["POINT"], "PRT": ["PORT"], "PR": ["PRAIRIE", "PRR"], "RADL": ["RADIAL", "RAD", "RADIEL"],
        "RNCH": ["RANCH", "RANCHES", "RNCHS"], "RPD": ["RAPID"], "RST": ["REST"], "RDG": ["RIDGE", "RDGE"],
        "RIV": ["RIVER", "RVR", "RIVR"], "RD": ["ROAD"], "RDS": ["ROADS"], "RTE": ["ROUTE"], "ROW": [], "RUN": [],
        "SHL": ["SHOAL"], "SHR": ["SHORE", "SHOAR"], "SPG": ["SPRING", "SPNG", "SPRNG"], "SPGS": ["SPRINGS", "SPNGS", "SPRNGS"],
        "SQ": ["SQUARE", "SQR", "SQRE", "SQU"], "STA": ["STATION", "STATN", "STN"], "STRM": ["STREAM", "STREME"],
        "ST": ["STREET", "STRT", "STR"], "STS": ["STREETS"], "SMT": ["SUMMIT", "SUMIT", "SUMITT"],
        "TER": ["TERRACE", "TERR"], "TRCE": ["TRACE", "TRACES"], "TRAK": ["TRACK", "TRACKS", "TRK", "TRKS"],
        "TRL": ["TRAIL", "TRAILS", "TRLS"], "TUNL": ["TUNNEL", "TUNEL", "TUNLS", "TUNNELS", "TUNNL"],
        "TPKE": ["TURNPIKE", "TRNPK", "TURNPK"], "UN": ["UNION"], "VLY": ["VALLEY", "VALLY", "VLLY"],
        "VIA": ["VIADUCT", "VDCT", "VIADCT"], "VW": ["VIEW"], "VLG": ["VILLAGE", "VILL", "VILLAG", "VILLG", "VILLIAGE"],
        "VL": ["VILLE"], "VIS": ["VISTA", "VIST", "VST", "VSTA"], "WALK": ["WALKS"], "WAY": ["WY"], "WLS": ["WELLS"],
    ])

    /// Directionals: spellings → `N`, `NE`, ...
    static let directionals: [String: String] = table([
        "N": ["NORTH"], "S": ["SOUTH"], "E": ["EAST"], "W": ["WEST"],
        "NE": ["NORTHEAST", "NORTH EAST"], "NW": ["NORTHWEST", "NORTH WEST"],
        "SE": ["SOUTHEAST", "SOUTH EAST"], "SW": ["SOUTHWEST", "SOUTH WEST"],
    ])

    /// Secondary unit designators (Publication 28, Appendix C2): spellings → the standard abbreviation.
    static let unitDesignators: [String: String] = table([
        "APT": ["APARTMENT"], "BSMT": ["BASEMENT"], "BLDG": ["BUILDING"], "DEPT": ["DEPARTMENT"], "FL": ["FLOOR"],
        "FRNT": ["FRONT"], "HNGR": ["HANGAR"], "KEY": [], "LBBY": ["LOBBY"], "LOT": [], "LOWR": ["LOWER"],
        "OFC": ["OFFICE"], "PH": ["PENTHOUSE"], "PIER": [], "REAR": [], "RM": ["ROOM"], "SIDE": [], "SLIP": [],
        "SPC": ["SPACE"], "STOP": [], "STE": ["SUITE"], "TRLR": ["TRAILER"], "UNIT": [], "UPPR": ["UPPER"],
    ])

    /// Designators that need no number after them (`REAR`, `BSMT`).
    static let designatorsWithoutNumber: Set<String> = ["BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPR"]

    /// US states, DC and territories: names → two-letter codes (codes map to themselves).
    static let states: [String: String] = table([
        "AL": ["ALABAMA"], "AK": ["ALASKA"], "AZ": ["ARIZONA"], "AR": ["ARKANSAS"], "CA": ["CALIFORNIA"],
        "CO": ["COLORADO"], "CT": ["CONNECTICUT"], "DE": ["DELAWARE"], "DC": ["DISTRICT OF COLUMBIA"],
        "FL": ["FLORIDA"], "GA": ["GEORGIA"], "HI": ["HAWAII"], "ID": ["IDAHO"], "IL": ["ILLINOIS"], "IN": ["INDIANA"],
        "IA": ["IOWA"], "KS": ["KANSAS"], "KY": ["KENTUCKY"], "LA": ["LOUISIANA"], "ME": ["MAINE"], "MD": ["MARYLAND"],
        "MA": ["MASSACHUSETTS"], "MI": ["MICHIGAN"], "MN": ["MINNESOTA"], "MS": ["MISSISSIPPI"], "MO": ["MISSOURI"],
        "MT": ["MONTANA"], "NE": ["NEBRASKA"], "NV": ["NEVADA"], "NH": ["NEW HAMPSHIRE"], "NJ": ["NEW JERSEY"],
        "NM": ["NEW MEXICO"], "NY": ["NEW YORK"], "NC": ["NORTH CAROLINA"], "ND": ["NORTH DAKOTA"], "OH": ["OHIO"],
        "OK": ["OKLAHOMA"], "OR": ["OREGON"], "PA": ["PENNSYLVANIA"], "RI": ["RHODE ISLAND"], "SC": ["SOUTH CAROLINA"],
        "SD": ["SOUTH DAKOTA"], "TN": ["TENNESSEE"], "TX": ["TEXAS"], "UT": ["UTAH"], "VT": ["VERMONT"],
        "VA": ["VIRGINIA"], "WA": ["WASHINGTON"], "WV": ["WEST VIRGINIA"], "WI": ["WISCONSIN"], "WY": ["WYOMING"],
        "AS": ["AMERICAN SAMOA"], "GU": ["GUAM"], "MP": ["NORTHERN MARIANA ISLANDS"], "PR": ["PUERTO RICO"],
        "VI": ["VIRGIN ISLANDS", "US VIRGIN ISLANDS"],
    ])

    /// A lookup table from each abbreviation's spellings, the abbreviation itself included.
    private static func table(_ spellings: [String: [String]]) -> [String: String] {
        var table: [String: String] = [:]
        for (standard, variants) in spellings {
            table[standard] = standard
            for variant in variants { table[variant] = standard }
        }
        return table
    }
}
