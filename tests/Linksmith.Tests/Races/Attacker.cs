namespace Linksmith.Tests.Races;

/// <summary>
/// The other user: a thread that, for as long as the job runs, swaps each of its spots (a folder
/// in the tree) with a symbolic link to the sentinels by <c>renameat2(RENAME_EXCHANGE)</c>, in a
/// loop without sleeps, so that every other moment the folder is a link to the outside.
/// </summary>
internal sealed class Attacker
{
    private readonly List<Spot> spots;
    private readonly Thread thread;
    private volatile bool stopping;
    private long swaps;

    public Attacker(IEnumerable<SwapSpot> spots, string holding, string outside)
    {
        this.spots = [.. spots.Select((spot, i) => new Spot(spot, Path.Join(holding, $"link{i}"), Path.Join(holding, $"taken{i}"), outside))];
        foreach (var spot in this.spots)
        {
            File.CreateSymbolicLink(spot.Holding, outside);
        }

        thread = new Thread(Loop) { IsBackground = true, Name = "race attacker" };
    }

    public void Start() => thread.Start();

    /// <summary>Stops the loop and returns how many swaps it made.</summary>
    public long Stop()
    {
        stopping = true;
        if (thread.IsAlive)
        {
            thread.Join();
        }

        return swaps;
    }

    private void Loop()
    {
        while (!stopping)
        {
            foreach (var spot in spots)
            {
                var target = spot.Current ??= spot.Locate();
                if (target is null)
                {
                    continue;
                }

                var error = RaceNative.Exchange(target, spot.HoldingBytes);
                if (error == 0)
                {
                    swaps++;
                    if (++spot.Swaps % 32 == 0)
                    {
                        spot.KeepALink();
                    }
                }
                else if (error == RaceNative.ENOENT && spot.IsFound)
                {
                    spot.Current = null;
                }
            }
        }
    }

    private sealed class Spot(SwapSpot spot, string holding, string taken, string outside)
    {
        private int graves;

        public string Holding { get; } = holding;

        public byte[] HoldingBytes { get; } = RaceNative.Bytes(holding);

        public byte[]? Current { get; set; }

        public long Swaps { get; set; }

        public bool IsFound => spot.Find is not null;

        public byte[]? Locate() => (spot.Path ?? spot.Find!()) is { } path ? RaceNative.Bytes(path) : null;

        /// <summary>
        /// When the job replaced the link it was handed by a folder of its own, two folders are being
        /// swapped: the one held is put aside and a new link to the outside takes its place.
        /// </summary>
        public void KeepALink()
        {
            if (RaceNative.Lstat(Holding) is { IsSymbolicLink: false } && Current is not null
                && RaceNative.Lstat(System.Text.Encoding.UTF8.GetString(Current.AsSpan(0, Current.Length - 1))) is { IsSymbolicLink: false })
            {
                try
                {
                    Directory.Move(Holding, $"{taken}.{graves++}");
                    File.CreateSymbolicLink(Holding, outside);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}

/// <summary>A folder the attacker swaps: a fixed path, or one found while the job runs (a name the job makes up).</summary>
internal sealed record SwapSpot(string? Path, Func<string?>? Find = null);
